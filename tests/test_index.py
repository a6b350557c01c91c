"""exported/index.json: rebuilt from the model folders present, the default model first."""

from __future__ import annotations

import json

from pipeline import contract
from pipeline.config import METADATA_FORMAT_VERSION


def _model(root, name, dataset="mnist", variant="cgan", fid=1.5):
    folder = root / name
    folder.mkdir()
    generated = {"fid": fid, "confident_fraction": 0.9, "precision": 0.8, "recall": 0.7, "label_accuracy": None}
    evaluation = {"generated": generated, "real": {"fid": 0.5}}
    content = {
        "format": "keras-gan-tfjs",
        "format_version": METADATA_FORMAT_VERSION,
        "name": name,
        "dataset": dataset,
        "description": f"{dataset} {variant}",
        "variant": variant,
        "model_bytes": 1000,
        "evaluation": evaluation,
    }
    (folder / "metadata.json").write_text(json.dumps(content))
    return folder


def test_index_lists_every_model_folder_default_first(tmp_path):
    _model(tmp_path, "dcgan", variant="dcgan", fid=3.0)
    _model(tmp_path, "fashion-mnist-cgan", dataset="fashion-mnist")
    _model(tmp_path, "cgan")
    (tmp_path / ".stage-xyz").mkdir()  # a build's staging folder
    (tmp_path / "notes").mkdir()  # not a model
    index = contract.update_index(tmp_path)
    assert [entry["name"] for entry in index["models"]] == ["cgan", "dcgan", "fashion-mnist-cgan"]
    assert json.loads((tmp_path / "index.json").read_text()) == index
    dcgan = index["models"][1]
    assert dcgan["metadata"] == "dcgan/metadata.json" and dcgan["metrics"]["fid"] == 3.0 and dcgan["real_fid"] == 0.5


def test_index_drops_a_removed_model_and_refuses_other_formats(tmp_path):
    _model(tmp_path, "cgan")
    old = _model(tmp_path, "old")
    metadata = json.loads((old / "metadata.json").read_text())
    (old / "metadata.json").write_text(json.dumps({**metadata, "format_version": 1}))
    assert [entry["name"] for entry in contract.update_index(tmp_path)["models"]] == ["cgan"]
    (tmp_path / "cgan" / "metadata.json").unlink()
    assert contract.update_index(tmp_path)["models"] == []
