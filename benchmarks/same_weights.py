"""Does a change keep the weights? Tiny builds of every variant with two commits, compared byte for byte.

Run from the repository root (after ./scripts/setup):

    .venv/bin/python benchmarks/same_weights.py BASE [HEAD]

BASE and HEAD are git revisions (HEAD: the working tree when omitted). Each is checked out into a
temporary worktree; every variant is built for 2 short epochs (and the Fashion-MNIST cgan for 1),
without evaluation, and each exported file (model.json, shards, the discriminator's) is compared.
A refactor that says "behaviour unchanged" must print SAME on every row. Results go to
benchmarks/results/same_weights_results.json. About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from common import RESULTS, ROOT

BUILDS = {
    "cgan": ["--model", "cgan", "--epochs", "2"],
    "dcgan": ["--model", "dcgan", "--epochs", "2"],
    "mlp": ["--model", "mlp", "--epochs", "2"],
    "lapgan": ["--model", "lapgan", "--epochs", "2"],
    "srgan": ["--model", "srgan", "--epochs", "2"],
    "fashion-mnist-cgan": ["--dataset", "fashion-mnist", "--epochs", "1"],
}
TINY = ["--epoch-images", "640", "--no-eval"]


def checkout(revision: str | None, into: Path) -> Path:
    """The code of `revision` (None: the working tree) in `into`, beside this checkout's node_modules."""
    if revision is None:
        for part in ("pipeline", "web"):
            shutil.copytree(ROOT / part, into / part)
    else:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), revision], check=True)
    (into / "node_modules").symlink_to(ROOT / "node_modules")
    return into


def build_all(code: Path, out: Path) -> dict[str, dict[str, str]]:
    """Every tiny build with the code in `code` -> {model: {file: sha256}}."""
    digests = {}
    out.mkdir(parents=True, exist_ok=True)
    for name, flags in BUILDS.items():
        target = out / name
        command = [sys.executable, "-m", "pipeline.build", *flags, *TINY, "--out", str(target)]
        command += ["--run-dir", str(out / f"runs-{name}")]
        done = subprocess.run(command, cwd=code, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
        if done.returncode != 0:
            raise SystemExit(f"error: {name} did not build with {code}: {done.stderr.strip().splitlines()[-1:]}")
        files = sorted(p for p in target.rglob("*") if p.is_file() and (p.suffix == ".bin" or p.name == "model.json"))
        digests[name] = {p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        print(f"  {name}: {len(files)} files", flush=True)
    return digests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the git revision to compare against")
    parser.add_argument("head", nargs="?", default=None, help="the revision to check (default: the working tree)")
    parser.add_argument("--out", type=Path, default=RESULTS / "same_weights_results.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        results = {}
        try:
            for label, revision in (("base", args.base), ("head", args.head)):
                print(f"{label}: {revision or 'the working tree'}", flush=True)
                code = checkout(revision, scratch / f"code-{label}")
                results[label] = build_all(code, scratch / f"out-{label}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
    rows = []
    for name, files in results["base"].items():
        for file, digest in files.items():
            same = results["head"].get(name, {}).get(file) == digest
            rows.append({"model": name, "file": file, "same": same})
            print(f"{name:20s} {file:40s} {'SAME' if same else 'DIFFERENT'}")
    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "base": args.base,
        "head": args.head or "working tree",
        "builds": {name: [*flags, *TINY] for name, flags in BUILDS.items()},
        "all_same": all(row["same"] for row in rows),
        "rows": rows,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{'every file the same' if report['all_same'] else 'SOME FILES DIFFER'}; wrote {args.out}")
    return 0 if report["all_same"] else 1


if __name__ == "__main__":
    sys.exit(main())
