"""Tests of the judge classifier and the image-quality metrics."""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from pipeline import data, evaluate
from pipeline.config import ROOT

MNIST_TEST_DIR = ROOT.parent / "shared" / "data" / "mnist-test"
# A recipe small enough to train in seconds, for the cache mechanics; never a real judge.
TINY_RECIPE = evaluate.JudgeRecipe(epochs=1, feature_dim=16)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def split() -> tuple[data.Digits, data.Digits]:
    """The npm package's digits, split as an offline build splits them -> (train 9,001, heldout 999)."""
    try:
        return data.holdout_split(data.load_npm_package())
    except data.DataError as error:
        pytest.skip(f"npm digits unavailable: {error}")


@pytest.fixture(scope="session")
def judge(split) -> evaluate.Judge:
    # The default cache: the first run trains (about a minute), later runs load in a second.
    return evaluate.load_or_train_judge(split[0])


@pytest.fixture(scope="session")
def reference_features(judge, split) -> np.ndarray:
    return judge.features(split[1].images)


@pytest.fixture(scope="session")
def mnist_test() -> data.Digits:
    if not MNIST_TEST_DIR.is_dir():
        pytest.skip(f"{MNIST_TEST_DIR} is absent")
    return data.load_path(MNIST_TEST_DIR, "test")


@pytest.fixture(scope="session")
def real_sample(split) -> data.Digits:
    """1,000 training digits: real, but not the held-out reference."""
    train = split[0]
    return train.take(np.random.default_rng(5).choice(len(train), 1000, replace=False))


@pytest.fixture(scope="session")
def real_metrics(judge, real_sample, reference_features) -> dict:
    return evaluate.image_metrics(judge, real_sample.images, real_sample.labels, reference_features)


def small_digits(count: int = 300) -> data.Digits:
    """A few synthetic, class-labelled blobs: enough to run training code, not to learn digits."""
    rng = np.random.default_rng(0)
    images = np.zeros((count, 28, 28), np.uint8)
    labels = np.arange(count) % 10
    for index, label in enumerate(labels):
        row, column = 4 + 2 * label, 4 + rng.integers(0, 16)
        images[index, row : row + 4, column : column + 6] = 255
    return data.Digits(images, labels.astype(np.int64), "synthetic blobs")


# ---------------------------------------------------------------- the judge


def test_judge_reaches_99_percent_on_the_real_mnist_test_set(judge, mnist_test):
    accuracy = judge.accuracy(mnist_test)
    print(f"judge accuracy on the MNIST test set: {accuracy:.4f}")
    assert accuracy >= 0.99


def test_judge_is_accurate_on_the_heldout_digits(judge, split):
    assert judge.accuracy(split[1]) >= 0.98


def test_judge_outputs_probabilities_and_features(judge, split):
    images = split[1].images[:50]
    probabilities = judge.predict_proba(images)
    features = judge.features(images)
    assert probabilities.shape == (50, 10) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    assert features.shape == (50, evaluate.JUDGE_RECIPE.feature_dim)
    assert np.all(features >= 0)  # a ReLU layer


def test_judge_refuses_images_in_the_model_range(judge, split):
    with pytest.raises(ValueError, match="uint8"):
        judge.predict_proba(data.to_model_range(split[1].images[:5]))


def test_second_call_loads_the_cached_judge_with_identical_predictions(judge, split):
    messages = []
    start = time.perf_counter()
    again = evaluate.load_or_train_judge(split[0], log=messages.append)
    seconds = time.perf_counter() - start
    assert any("loaded" in message for message in messages)
    assert not any("training" in message for message in messages)
    assert again.train_seconds is None and again.cache_path == judge.cache_path
    assert seconds < 20
    images = split[1].images[:200]
    np.testing.assert_array_equal(again.predict_proba(images), judge.predict_proba(images))


def test_cache_key_changes_with_the_training_digits_and_the_recipe(split):
    train = split[0]
    key = evaluate.judge_cache_key(train)
    assert evaluate.judge_cache_key(data.Digits(train.images.copy(), train.labels.copy(), "copy")) == key

    other_source, _ = data.holdout_split(data.load_npm_package(), seed=1)
    assert evaluate.judge_cache_key(other_source) != key

    relabelled = train.labels.copy()
    relabelled[0] = (relabelled[0] + 1) % 10
    assert evaluate.judge_cache_key(data.Digits(train.images, relabelled, "")) != key

    touched = train.images.copy()
    touched[-1, 14, 14] ^= 1
    assert evaluate.judge_cache_key(data.Digits(touched, train.labels, "")) != key

    assert evaluate.judge_cache_key(train, evaluate.JudgeRecipe(epochs=21)) != key


def test_a_new_judge_is_written_atomically_and_reloaded(tmp_path):
    digits = small_digits()
    messages = []
    trained = evaluate.load_or_train_judge(digits, tmp_path, messages.append, TINY_RECIPE)
    assert trained.train_seconds is not None
    assert any("judge epoch 1/1" in message for message in messages)
    assert [path.name for path in tmp_path.iterdir()] == [trained.cache_path.name]  # no temporary left

    messages.clear()
    loaded = evaluate.load_or_train_judge(digits, tmp_path, messages.append, TINY_RECIPE)
    assert loaded.train_seconds is None and any("loaded" in message for message in messages)
    np.testing.assert_array_equal(loaded.predict_proba(digits.images), trained.predict_proba(digits.images))


def test_a_corrupt_cache_file_is_replaced_by_a_fresh_judge(tmp_path):
    digits = small_digits()
    path = tmp_path / f"judge-{evaluate.judge_cache_key(digits, TINY_RECIPE)}.npz"
    path.write_bytes(b"not an npz file")
    messages = []
    judge = evaluate.load_or_train_judge(digits, tmp_path, messages.append, TINY_RECIPE)
    assert any("cannot use" in message for message in messages)
    assert judge.train_seconds is not None
    assert judge.predict_proba(digits.images[:3]).shape == (3, 10)
    with np.load(path) as archive:  # replaced by a valid file
        assert int(archive["weight_count"]) == len(judge.model.get_weights())


def test_augmentation_moves_digits_but_keeps_their_ink():
    digits = small_digits(50)
    pixels = digits.images[..., None].astype(np.float32) / 255
    moved = evaluate.augment(pixels, np.random.default_rng(0))
    assert moved.shape == pixels.shape
    assert not np.allclose(moved, pixels)
    ink_ratio = moved.sum(axis=(1, 2, 3)) / pixels.sum(axis=(1, 2, 3))
    assert np.all((ink_ratio > 0.7) & (ink_ratio < 1.3))  # zoom of +-10% changes area by ~+-20%
    unchanged = evaluate.augment(
        pixels, np.random.default_rng(0), evaluate.JudgeRecipe(max_rotation_degrees=0, max_zoom=0, max_shift_pixels=0)
    )
    np.testing.assert_allclose(unchanged, pixels, atol=1e-5)


# ---------------------------------------------------------------- metric functions on known answers


def test_frechet_distance_of_a_set_with_itself_is_zero_and_it_is_symmetric():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2000, 16)) @ rng.standard_normal((16, 16))
    b = rng.standard_normal((1500, 16)) * 2 + 1
    assert evaluate.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert evaluate.frechet_distance(a, b) == pytest.approx(evaluate.frechet_distance(b, a), rel=1e-6)
    assert evaluate.frechet_distance(a, b) > 10


def test_frechet_distance_known_answers():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3000, 8)) @ rng.standard_normal((8, 8))
    shift = np.arange(8.0)
    # Same covariance: only the squared mean difference remains.
    assert evaluate.frechet_distance(a, a + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)
    # b = 2a: |m|^2 + tr(C) + tr(4C) - 2 tr(2C) = |m|^2 + tr(C).
    expected = np.sum(a.mean(axis=0) ** 2) + np.trace(np.cov(a, rowvar=False))
    assert evaluate.frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)


def test_precision_recall_on_a_line_with_a_known_answer():
    real = np.arange(10.0)[:, None]  # 0..9; with k=1 every ball has radius 1
    fake = np.array([[0.5], [4.2], [20.0], [30.0]])
    # Precision: 0.5 and 4.2 lie within 1 of a real point; 20 and 30 do not -> 2/4.
    # Recall: fake radii (k=1) are 3.7, 3.7, 10, 10; the balls around 0.5 and 4.2 cover
    # [-3.2, 7.9], i.e. real 0..7, and the ball around 20 stops at 10 -> 8/10.
    precision, recall = evaluate.precision_recall(real, fake, k=1)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(0.8)


def brute_force_precision_recall(real, fake, k):
    def radii(points):
        distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
        return np.sort(distances, axis=1)[:, k]

    cross = np.linalg.norm(fake[:, None] - real[None], axis=-1)  # [fake, real]
    precision = np.mean((cross <= radii(real)[None, :]).any(axis=1))
    recall = np.mean((cross <= radii(fake)[:, None]).any(axis=0))
    return precision, recall


def test_chunked_precision_recall_matches_brute_force():
    rng = np.random.default_rng(2)
    real = rng.standard_normal((230, 5))
    fake = np.concatenate([rng.standard_normal((120, 5)) * 0.5, rng.standard_normal((90, 5)) + 3])
    expected = brute_force_precision_recall(real, fake, k=3)
    assert 0.2 < expected[0] < 0.9 and 0.1 < expected[1] < 0.9  # a case where both matter
    assert evaluate.precision_recall(real, fake, k=3, chunk=7) == pytest.approx(expected)
    assert evaluate.precision_recall(real, fake, k=3) == pytest.approx(expected)


def test_precision_recall_needs_more_points_than_k():
    with pytest.raises(ValueError, match="more than 3"):
        evaluate.precision_recall(np.zeros((3, 2)), np.ones((10, 2)))


def test_inception_score_bounds():
    assert evaluate.inception_score(np.full((100, 10), 0.1)) == pytest.approx(1.0)
    sharp_and_balanced = np.eye(10)[np.arange(100) % 10]
    assert evaluate.inception_score(sharp_and_balanced) == pytest.approx(10.0, rel=1e-6)
    sharp_one_class = np.eye(10)[np.zeros(100, int)]
    assert evaluate.inception_score(sharp_one_class) == pytest.approx(1.0)


# ---------------------------------------------------------------- metrics on real and degenerate digits


def test_real_digits_score_as_a_floor(real_metrics):
    print("real-digit metrics:", real_metrics)
    assert real_metrics["fid"] < 5
    assert real_metrics["inception_score"] > 9.3
    assert real_metrics["confident_fraction"] > 0.95
    assert real_metrics["classes_over_5pct"] == 10
    assert real_metrics["precision"] > 0.75 and real_metrics["recall"] > 0.75
    assert real_metrics["label_accuracy"] > 0.98
    assert sum(real_metrics["class_histogram"]) == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["blank", "uniform noise", "one repeated digit"])
def test_degenerate_image_sets_score_clearly_worse_than_real_digits(
    kind, judge, real_sample, real_metrics, reference_features
):
    if kind == "blank":
        images = np.zeros((1000, 28, 28), np.uint8)
    elif kind == "uniform noise":
        images = np.random.default_rng(0).integers(0, 256, (1000, 28, 28), dtype=np.uint8)
    else:
        images = np.repeat(real_sample.images[:1], 1000, axis=0)
    metrics = evaluate.image_metrics(judge, images, None, reference_features)
    assert metrics["fid"] > 20 * real_metrics["fid"] and metrics["fid"] > 50
    assert metrics["recall"] < 0.05
    assert metrics["inception_score"] < 2
    assert metrics["classes_over_5pct"] < 3
    assert metrics["label_accuracy"] is None
    if kind == "one repeated digit":
        assert metrics["classes_over_5pct"] == 1
        assert metrics["recall"] == 0.0  # every ball has radius 0: only that very digit is covered
    else:
        assert metrics["precision"] < 0.05


def test_label_accuracy_with_true_and_shuffled_labels(judge, real_sample, reference_features):
    true = evaluate.image_metrics(judge, real_sample.images, real_sample.labels, reference_features)
    shuffled_labels = np.random.default_rng(0).permutation(real_sample.labels)
    shuffled = evaluate.image_metrics(judge, real_sample.images, shuffled_labels, reference_features)
    assert true["label_accuracy"] > 0.98
    assert 0.05 < shuffled["label_accuracy"] < 0.15
    assert shuffled["fid"] == true["fid"]  # the labels change nothing else


# ---------------------------------------------------------------- generators and the whole evaluation


def class_mean_generator(train: data.Digits, latent_dim: int = 4):
    """A conditional tf_keras 'generator' that ignores its noise and draws each class's mean digit."""
    import tf_keras as keras

    means = np.stack([data.to_model_range(train.images[train.labels == digit]).mean(axis=0) for digit in range(10)])
    noise = keras.Input((latent_dim,))
    label = keras.Input((10,))
    drawn = keras.layers.Dense(784, use_bias=False, name="draw")(label)  # row d = mean digit d
    ignored = keras.layers.Dense(784, use_bias=False, kernel_initializer="zeros")(noise)  # keeps noise an input
    images = keras.layers.Reshape((28, 28, 1))(keras.layers.Add()([drawn, ignored]))
    model = keras.Model([noise, label], images)
    model.get_layer("draw").set_weights([means.reshape(10, 784)])
    return model


def test_keras_generate_fn_feeds_one_hot_labels_and_is_repeatable(split, judge):
    generator = class_mean_generator(split[0])
    generate = evaluate.keras_generate_fn(generator, latent_dim=4, num_classes=10, seed=3, batch_size=64)
    images, labels = generate(150)
    assert images.shape == (150, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (150,) and set(labels) == set(range(10))
    again, again_labels = generate(150)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_labels, labels)
    # Each image is its label's mean digit, so the judge should mostly read back the label.
    assert np.mean(judge.predict_proba(images).argmax(axis=1) == labels) > 0.8


def test_keras_generate_fn_for_an_unconditional_generator():
    import tf_keras as keras

    noise = keras.Input((8,))
    images = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784, activation="tanh")(noise))
    generate = evaluate.keras_generate_fn(keras.Model(noise, images), latent_dim=8, num_classes=0)
    images, labels = generate(20)
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8 and labels is None


def test_evaluate_generator_reports_json_ready_metrics_beside_a_real_floor(judge, split):
    train, heldout = split
    rng = np.random.default_rng(9)

    def real_digits(count):  # a 'perfect' generator: fresh real digits with their labels
        index = rng.choice(len(train), count, replace=False)
        return train.images[index], train.labels[index]

    result = evaluate.evaluate_generator(real_digits, 10, judge, train, heldout, samples=2000)
    assert json.loads(json.dumps(result)) == result
    assert result["samples"] == 2000 and result["heldout_source"] == heldout.source
    assert result["judge"]["heldout_accuracy"] == pytest.approx(judge.accuracy(heldout))
    assert list(result["generated"]) == list(evaluate.METRIC_KEYS) == list(result["real"])
    generated, real = result["generated"], result["real"]
    # Real digits as 'generated' samples land near the floor.
    assert generated["fid"] < 3 * real["fid"] + 1
    assert abs(generated["recall"] - real["recall"]) < 0.1
    assert real["label_accuracy"] == result["judge"]["heldout_accuracy"]


def test_evaluate_generator_scores_a_class_mean_generator_as_collapsed(judge, split):
    train, heldout = split
    generate = evaluate.keras_generate_fn(class_mean_generator(train), 4, 10)
    result = evaluate.evaluate_generator(generate, 10, judge, train, heldout, samples=1000)
    generated, real = result["generated"], result["real"]
    assert generated["label_accuracy"] > 0.8  # it draws the requested classes...
    assert generated["recall"] < 0.05  # ...but only ten distinct images
    assert generated["fid"] > 10 * real["fid"]
    unconditional = evaluate.evaluate_generator(generate, 0, judge, train, heldout, samples=1000)
    assert unconditional["generated"]["label_accuracy"] is None


# ---------------------------------------------------------------- command line


def test_cli_scores_an_exported_model(tmp_path, split, judge, capsys):
    from tensorflowjs.converters import save_keras_model

    exported = tmp_path / "exported"
    save_keras_model(class_mean_generator(split[0]), str(exported))
    (exported / "metadata.json").write_text(json.dumps({"latent_dim": 4, "num_classes": 10, "variant": "cgan"}))
    # The same 10,000 digits as a file: the build splits them the same way, so the cached judge serves.
    digits = data.load_npm_package()
    np.savez(tmp_path / "digits.npz", x_train=digits.images, y_train=digits.labels)

    assert evaluate.main(["--exported", str(exported), "--data", str(tmp_path / "digits.npz"), "--samples", "300"]) == 0
    captured = capsys.readouterr()
    assert "judge: loaded" in captured.err
    assert "variant: cgan" in captured.out and "real (floor)" in captured.out
    result = json.loads(captured.out[captured.out.index("\n{") :])
    assert result["samples"] == 300 and result["generated"]["label_accuracy"] > 0.8


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--exported", "/no/such/folder"], "model.json: not found"),
        (["--exported", "."], "not found"),
        (["--exported", ".", "--samples", "two"], "invalid int value"),
        (["--exported", ".", "--samples", "2"], "at least 4"),
        ([], "required"),
    ],
)
def test_cli_bad_input_is_one_error_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err and "Traceback" not in err


def test_cli_reports_a_bad_metadata_file(tmp_path, capsys):
    (tmp_path / "model.json").write_text("{}")
    (tmp_path / "metadata.json").write_text(json.dumps({"variant": "cgan"}))
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(["--exported", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "latent_dim" in capsys.readouterr().err
