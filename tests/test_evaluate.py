"""The command line `python -m pipeline.evaluate`: a table or --json on stdout, bad input as one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline import data, evaluate, judge, metrics
from pipeline.config import DATASETS, METADATA_FORMAT, METADATA_FORMAT_VERSION, ROOT

from .judging import TESTS_JUDGE_CACHE, lookup_generator, npm_split, own_judge, typical_digits

GOOD_METADATA = {
    "format": METADATA_FORMAT,
    "format_version": METADATA_FORMAT_VERSION,
    "model_file": "model.json",
    "latent_dim": 4,
    "num_classes": 10,
    "variant": "cgan",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A TF.js export of a generator stand-in that draws each class's most typical held-out digit."""
    from tensorflowjs.converters import save_keras_model

    try:
        split = npm_split()
    except data.DataError as error:
        pytest.skip(f"npm digits unavailable: {error}")
    own_judge()  # trained once into the tests' cache, which the CLI reads below
    folder = tmp_path_factory.mktemp("exported")
    save_keras_model(lookup_generator(typical_digits(split[1])), str(folder))
    (folder / "metadata.json").write_text(json.dumps(GOOD_METADATA))
    return folder


@pytest.fixture(scope="module")
def digits_npz(tmp_path_factory):
    """The npm package's 10,000 digits as a file: the CLI splits them as the tests do, so the judge's key matches."""
    digits = data.load_npm_package()
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    np.savez(path, x_train=digits.images, y_train=digits.labels)
    return path


@pytest.fixture
def tests_judge_cache(monkeypatch):
    """The CLI reads the tests' judge, never the one a user's build cached in .cache/judge."""
    monkeypatch.setattr(judge, "DEFAULT_JUDGE_CACHE", TESTS_JUDGE_CACHE)


def test_cli_json_prints_only_the_result_on_stdout(exported, digits_npz, tests_judge_cache, capfd, monkeypatch):
    load_training = data.load_training

    def noisy_load_training(*args, **kwargs):  # as Keras does: "Downloading data from ..." on stdout
        print("Downloading data from somewhere")
        os.write(1, b"a line from C++ code\n")
        return load_training(*args, **kwargs)

    monkeypatch.setattr(data, "load_training", noisy_load_training)
    argv = ["--exported", str(exported), "--data", str(digits_npz), "--samples", "300", "--json"]
    assert evaluate.main(argv) == 0
    captured = capfd.readouterr()  # file descriptors: what C++ code writes too
    result = json.loads(captured.out)  # nothing but the JSON
    assert "Downloading data from somewhere" in captured.err and "a line from C++ code" in captured.err
    assert "judge: loaded" in captured.err and str(TESTS_JUDGE_CACHE) in captured.err
    assert result["samples"] == 300
    assert list(result["generated"]) == list(metrics.METRIC_KEYS)
    assert result["generated"]["label_accuracy"] > 0.8  # typical digits: any decent judge reads them
    assert result["generated"]["recall"] < 0.05  # ten distinct images


def test_cli_without_json_prints_the_table(exported, digits_npz, tests_judge_cache, capfd):
    assert evaluate.main(["--exported", str(exported), "--data", str(digits_npz), "--samples", "300"]) == 0
    out = capfd.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "variant: cgan"
    assert lines[1].split() == ["metric", "generated", "real", "(floor)"]
    assert [line.split()[0] for line in lines[3 : 3 + len(metrics.METRIC_KEYS)]] == list(metrics.METRIC_KEYS)
    assert "{" not in out  # no JSON without --json


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--exported", "/no/such/folder"], "/no/such/folder/metadata.json: not found"),
        (["--exported", "/no/such/folder", "--samples", "two"], "'two' is not a number"),
        (["--exported", "/no/such/folder", "--samples", "3"], "3 is outside 4..100000"),
        (["--exported", "/no/such/folder", "--samples", "100001"], "100001 is outside 4..100000"),
        (["--exported", "/no/such/folder", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "required: --exported"),
    ],
)
def test_cli_bad_input_is_one_error_line_and_exit_2(argv, message, capsys):
    assert evaluate.main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err and "Traceback" not in err
    assert captured.out == ""


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "something-else"}, "unknown format something-else"),
        ({"format_version": 99}, "unknown format keras-gan-tfjs v99"),
        ({"latent_dim": None}, "needs integer latent_dim and num_classes"),
        ({"num_classes": "10"}, "needs integer latent_dim and num_classes"),
        ({"model_file": "absent.json"}, "absent.json: not found"),
        ({}, "model.json: cannot load the TF.js model"),
    ],
)
def test_cli_reports_a_bad_export_in_one_line(tmp_path, capsys, change, message):
    (tmp_path / "model.json").write_text("{}")
    (tmp_path / "metadata.json").write_text(json.dumps({**GOOD_METADATA, **change}))
    assert evaluate.main(["--exported", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_the_real_command_refuses_bad_input_with_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.evaluate", "--exported", ".", "--samples", "0", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.strip() == "error: argument --samples: 0 is outside 4..100000"


def test_a_model_is_scored_against_the_dataset_its_metadata_names(monkeypatch):
    """The Fashion-MNIST model is scored on Fashion-MNIST (its judge, its held-out images), never on MNIST."""
    folder = ROOT / "exported" / "fashion-mnist-cgan"
    if not (folder / "metadata.json").is_file():
        pytest.skip("no committed Fashion-MNIST model")
    asked = []

    def refuse_after_recording(path=None, eval_path=None, log=print, dataset="mnist", **options):
        asked.append((path, dataset))
        raise data.DataError("stop here: the scoring itself is tested below with real images")

    monkeypatch.setattr(data, "load_training", refuse_after_recording)
    assert evaluate.main(["--exported", str(folder), "--samples", "100"]) == 2
    assert asked == [(None, "fashion-mnist")]


def test_a_model_of_a_dataset_evaluate_cannot_load_is_refused_without_data(tmp_path, capsys):
    """A model trained on your own image folder names a dataset evaluate cannot fetch: one line, exit 2,
    never a score against MNIST."""
    from tensorflowjs.converters import save_keras_model

    save_keras_model(lookup_generator(np.zeros((10, 28, 28), np.uint8)), str(tmp_path))
    (tmp_path / "metadata.json").write_text(json.dumps({**GOOD_METADATA, "dataset": "shapes"}))
    assert evaluate.main(["--exported", str(tmp_path), "--samples", "100"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "'shapes'" in err and "--data" in err and "\n" not in err


@pytest.mark.slow
def test_the_fashion_model_scores_as_fashion_not_as_digits(capfd):
    """End to end, offline: Debian's Fashion-MNIST, a judge trained on it, the shipped model's own classes read
    back (the bug this guards against scored it against MNIST's digits: label accuracy 0.09). The judge is
    the default cache's, as a user's evaluate finds it: the one tests/test_shipped.py trains or loads too."""
    folder = ROOT / "exported" / "fashion-mnist-cgan"
    if not (folder / "metadata.json").is_file() or not Path(DATASETS["fashion-mnist"]["offline"]).is_dir():
        pytest.skip("needs the committed Fashion-MNIST model and Debian's dataset-fashion-mnist")
    assert evaluate.main(["--exported", str(folder), "--samples", "1000", "--json"]) == 0
    captured = capfd.readouterr()
    result = json.loads(captured.out)
    assert "fashion" in result["heldout_source"].lower(), result["heldout_source"]
    assert result["generated"]["label_accuracy"] > 0.7, result["generated"]
