"""What makes the unconditional dcgan draw every class: short and full-length trials of its recipe.

    .venv/bin/python benchmarks/dcgan_trials.py [--only NAME ...] [--collect]

Each trial is one `python -m pipeline.build --model dcgan ...` into runs/trials/<name>/ (never
exported/); the script runs them one after the other, then writes benchmarks/results/dcgan_trials.json
with every trial's evaluation (FID, confident fraction, precision, recall and the share of each
class among 10,000 samples, by the build's judge on the 999 held-out digits) and prints a table.
`--collect` only reads the trials already in runs/trials/. Trials of 20 epochs are a quick screen;
class shares there are blurred by half the digits being unreadable.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import RESULTS as RESULTS_DIR  # noqa: E402
from common import ROOT  # noqa: E402

RESULTS = RESULTS_DIR / "dcgan_trials.json"
SHORT = ["--epochs", "20"]
FULL = ["--epochs", "80", "--epoch-images", "8960"]
TRIALS = {
    # 20 epochs: the mode-seeking term (the default's, 0.4) against less of it and none, and R1.
    # "--r1 0" where a trial ran without it: dcgan's recipe now has R1 on.
    "div0.4": [*SHORT, "--r1", "0", "--diversity-weight", "0.4"],
    "div0.2": [*SHORT, "--r1", "0", "--diversity-weight", "0.2"],
    "div0.1": [*SHORT, "--r1", "0", "--diversity-weight", "0.1"],
    "div0": [*SHORT, "--r1", "0", "--diversity-weight", "0"],
    "r1g1": [*SHORT, "--r1", "1", "--diversity-weight", "0"],
    "r1g10": [*SHORT, "--r1", "10", "--diversity-weight", "0"],
    "r1g1-div0.2": [*SHORT, "--r1", "1", "--diversity-weight", "0.2"],
    # 80 epochs: the two best screens at full length (r1g10-full is the recipe that ships).
    "div0-full": [*FULL, "--r1", "0", "--diversity-weight", "0"],
    "r1g10-full": [*FULL, "--r1", "10", "--diversity-weight", "0"],
}


def run(name: str, arguments: list[str]) -> None:
    folder = ROOT / "runs" / "trials" / name
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pipeline.build", "--model", "dcgan", *arguments]
    command += ["--out", str(folder / "dcgan"), "--run-dir", str(folder / "run")]
    print("$", " ".join(command[1:]), flush=True)
    with open(folder / "build.log", "w") as log:
        subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=True)


def collect(name: str) -> dict | None:
    metadata = ROOT / "runs" / "trials" / name / "dcgan" / "metadata.json"
    if not metadata.exists():
        return None
    generated = json.loads(metadata.read_text())["evaluation"]["generated"]
    shares = generated["class_histogram"]
    return {
        "name": name,
        "command": "python -m pipeline.build --model dcgan " + " ".join(TRIALS[name]),
        **{key: generated[key] for key in ("fid", "confident_fraction", "precision", "recall")},
        "class_shares": shares,
        "every_class_7_to_13_percent": all(0.07 <= share <= 0.13 for share in shares),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| trial | arguments | FID | confident | precision | recall | class shares, 0–9 (%) | all 7–13% |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        shares = " ".join(f"{100 * share:.1f}" for share in row["class_shares"])
        lines.append(
            f"| {row['name']} | `{' '.join(TRIALS[row['name']])}` | {row['fid']:.2f} | {row['confident_fraction']:.3f} "
            f"| {row['precision']:.3f} | {row['recall']:.3f} | {shares} "
            f"| {'yes' if row['every_class_7_to_13_percent'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(TRIALS), help="run these trials only")
    parser.add_argument("--collect", action="store_true", help="run nothing; read the trials in runs/trials/")
    args = parser.parse_args(argv)
    names = args.only or list(TRIALS)
    if not args.collect:
        for name in names:
            run(name, TRIALS[name])
    rows = [row for row in (collect(name) for name in TRIALS) if row is not None]
    RESULTS.write_text(json.dumps({"trials": rows}, indent=2) + "\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
