"""The generator as a TF.js layers model, written atomically and checked against Keras.

Conversion with the parity check (write_generator), the staged folder swapped into place in one
step (pipeline.files.StagedFolder), and reading an export back (load_exported, verify). What metadata.json and
index.json hold is pipeline.contract's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from pipeline.config import METADATA_FORMAT, METADATA_FORMAT_VERSION, ModelConfig
from pipeline.digits import first_output, model_inputs

MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
# Largest |TF.js reload - Keras| accepted per quantization, on outputs in [-1, 1].
# uint8 moves single pixels of these generators by up to ~0.47 (seen on the shipped model) while
# FID, precision and recall stay within 1% (benchmarks/quantize_bench.py): its worst pixel is
# bounded here, its quality is judged by the metrics.
TOLERANCE = {"none": 1e-4, "float16": 2e-2, "uint8": 0.6}
# The same for the discriminator's probability "real" (sigmoid of its logit), on the generator's
# digits. uint8 moves it by up to ~0.05 on the shipped models (their metadata's export_check).
DISCRIMINATOR_TOLERANCE = {"none": 1e-4, "float16": 2e-2, "uint8": 0.15}
DISCRIMINATOR_FOLDER = "discriminator"
QUANTIZATION_MAP = {"none": None, "float16": {"float16": "*"}, "uint8": {"uint8": "*"}}


class ExportError(Exception):
    """The export could not be written or does not reproduce the Keras generator; one line."""


class ExportTargetError(ExportError):
    """--out can never be written (a file, a missing parent, no permission): bad input, found before training."""


def check_writable(out: Path) -> None:
    """Fail before training if `out` can never be written: a file, a missing or unwritable parent."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportTargetError(f"--out {out}: exists and is not a folder")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise ExportTargetError(f"--out {out}: parent folder {parent} does not exist")
    try:  # the staging folder is made here at export time: prove now that it can be
        tempfile.TemporaryDirectory(dir=parent, prefix=f".{out.name}.probe-").cleanup()
    except OSError as error:
        raise ExportTargetError(f"--out {out}: not writable ({error.strerror})") from None


def check_inputs(model_config: ModelConfig, count: int = 64, seed: int = 1234) -> list[np.ndarray]:
    """A fixed batch for the parity check, in the generator's input order: noise [count, latent],
    one-hot labels cycling 0..9 (conditional models), noise planes (LAPGAN); for SRGAN, random
    7x7 digits in [-1, 1]."""
    labels = np.arange(count) % max(1, model_config.num_classes)
    return model_inputs(model_config, count, np.random.default_rng(seed), labels)[0]


def discriminator_check_inputs(generator, model_config: ModelConfig) -> list[np.ndarray]:
    """The discriminator's parity batch: the generator's digits on check_inputs, with their labels when conditional."""
    inputs = check_inputs(model_config)
    images = np.asarray(first_output(generator(inputs, training=False)))
    return [images, inputs[1]] if model_config.conditional else [images]


def load_exported(folder: Path):
    """An exported folder -> (tf_keras generator rebuilt by the tensorflowjs loader, metadata dict).

    Raises ExportError (one line naming the file) for a missing file, a metadata.json of another
    format or without integer latent_dim and num_classes, or a model the loader cannot rebuild.
    """
    folder = Path(folder)
    metadata_file = folder / METADATA_FILE
    if not metadata_file.is_file():
        raise ExportError(f"{metadata_file}: not found (export a model first)")
    try:
        metadata = json.loads(metadata_file.read_text())
    except (OSError, ValueError) as error:
        raise ExportError(f"{metadata_file}: unreadable ({error})") from None
    if not isinstance(metadata, dict):
        raise ExportError(f"{metadata_file}: not a JSON object")
    if metadata.get("format") != METADATA_FORMAT or metadata.get("format_version") != METADATA_FORMAT_VERSION:
        raise ExportError(f"{metadata_file}: unknown format {metadata.get('format')} v{metadata.get('format_version')}")
    if not all(type(metadata.get(key)) is int for key in ("latent_dim", "num_classes")):
        raise ExportError(f"{metadata_file}: needs integer latent_dim and num_classes")
    model_file = folder / str(metadata.get("model_file", MODEL_FILE))
    if not model_file.is_file():
        raise ExportError(f"{model_file}: not found (export a model first)")
    from tensorflowjs.converters import load_keras_model

    try:
        model = load_keras_model(str(model_file))
    except Exception as error:
        raise ExportError(f"{model_file}: cannot load the TF.js model ({type(error).__name__}: {error})") from None
    return model, metadata


def _outputs(model, inputs, probability: bool) -> list[np.ndarray]:
    outputs = model(inputs, training=False)
    outputs = [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
    return [1.0 / (1.0 + np.exp(-o)) for o in outputs] if probability else outputs


def _max_difference(model, model_json: Path, inputs, probability: bool) -> tuple[object, float]:
    """-> (the tensorflowjs reload, max |reload - Keras| over every output)."""
    from tensorflowjs.converters import load_keras_model

    reloaded = load_keras_model(str(model_json))
    pairs = zip(_outputs(model, inputs, probability), _outputs(reloaded, inputs, probability))
    return reloaded, max(float(np.max(np.abs(a - b))) for a, b in pairs)


def write_model(
    model,
    folder: Path,
    inputs: list[np.ndarray],
    quantize: str = "none",
    log=print,
    tolerances: dict[str, float] = TOLERANCE,
    tolerance: float | None = None,
    what: str = "generator",
    probability: bool = False,
):
    """Convert to TF.js layers format in `folder`, reload with tensorflowjs, compare with Keras on `inputs`.

    The float32 conversion is always checked (to tolerances["none"]; in a scratch folder when
    quantizing), so a converter fault is never hidden behind quantization error; the quantized
    files that ship are then checked against `tolerance` (default tolerances[quantize]). Every
    output is compared (LAPGAN's coarser levels too); `probability` compares sigmoid(output), what
    the page shows of a discriminator's logit. Returns (reloaded tf_keras model, {"float32": max
    |diff|, quantization name: max |diff|}).
    """
    from tensorflowjs.converters import save_keras_model

    checks = ["none"] if quantize == "none" else ["none", quantize]
    differences = {}
    folder.mkdir(parents=True, exist_ok=True)
    for kind in checks:
        target = (
            folder
            if kind == quantize
            else Path(tempfile.mkdtemp(prefix=f".{folder.name}.float32-check-", dir=folder.parent))
        )
        try:
            save_keras_model(model, str(target), quantization_dtype_map=QUANTIZATION_MAP[kind])
            reloaded, difference = _max_difference(model, target / MODEL_FILE, inputs, probability)
        finally:
            if target != folder:
                shutil.rmtree(target, ignore_errors=True)
        limit = tolerances[kind] if kind == "none" or tolerance is None else tolerance
        name = "float32" if kind == "none" else kind
        differences[name] = difference
        log(
            f"export check ({what}): TF.js reload vs Keras on {len(inputs[0])} fixed inputs, "
            f"max |diff| = {difference:.2e} ({name}, limit {limit:g})"
        )
        if not difference <= limit:
            raise ExportError(
                f"exported {what} does not reproduce Keras: max |diff| {difference:.3g} > {limit} ({name})"
            )
    return reloaded, differences


def write_generator(
    generator, folder: Path, model_config: ModelConfig, quantize: str = "none", log=print, tolerance=None
):
    """write_model for a generator on check_inputs, to TOLERANCE."""
    return write_model(generator, folder, check_inputs(model_config), quantize, log, TOLERANCE, tolerance)


def write_discriminator(discriminator, generator, folder: Path, model_config: ModelConfig, quantize: str, log=print):
    """write_model for a discriminator into folder/discriminator, compared on its probability "real"
    of the generator's check digits, to DISCRIMINATOR_TOLERANCE. -> (reloaded, differences, quantization).

    uint8 rounding moves some trained discriminators' probability past its bound (0.05 on the
    shipped cgan, 0.243 on a fresh default build on this project's 2-core machine), and a finished
    training must not fail on it: when uint8 fails the check, the discriminator is written as
    float16 instead (its error is then about 1e-3, for twice the bytes) and the build goes on.
    """
    inputs = discriminator_check_inputs(generator, model_config)
    target = Path(folder) / DISCRIMINATOR_FOLDER

    def write(kind: str):
        return write_model(
            discriminator, target, inputs, kind, log, DISCRIMINATOR_TOLERANCE, what="discriminator", probability=True
        )

    try:
        return (*write(quantize), quantize)
    except ExportError as error:
        if quantize != "uint8":
            raise
        shutil.rmtree(target, ignore_errors=True)
        log(f"{error}; writing the discriminator as float16 instead")
        return (*write("float16"), "float16")


def model_files(folder: Path) -> list[Path]:
    """model.json and its weight shards in `folder`, by name: the files that ship, counted and hashed."""
    return [f for f in sorted(Path(folder).iterdir()) if f.name == MODEL_FILE or f.suffix == ".bin"]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify(folder: Path) -> dict:
    """An export folder is complete and of one piece: metadata, model.json and every shard it names,
    each with the hash the metadata recorded, and the same for the discriminator when one ships.
    -> metadata; raises ExportError otherwise."""
    folder = Path(folder)
    try:
        content = json.loads((folder / METADATA_FILE).read_text())
    except (OSError, ValueError) as error:
        raise ExportError(f"{folder}: incomplete export ({error})") from None
    parts = [content] + ([content["discriminator"]] if content.get("discriminator") else [])
    for part in parts:
        _verify_model(folder, part["model_file"], part["sha256"])
    return content


def _verify_model(folder: Path, model_file: str, digests: dict) -> None:
    """model_file (relative to folder), its shards and their recorded hashes agree; raises ExportError."""
    base = Path(model_file).parent
    try:
        manifest = json.loads((folder / model_file).read_text())["weightsManifest"]
    except (OSError, ValueError, KeyError) as error:
        raise ExportError(f"{folder}: incomplete export ({error})") from None
    named = {model_file} | {str(base / path) for group in manifest for path in group["paths"]}
    if set(digests) != named:
        raise ExportError(f"{folder}: metadata lists {sorted(digests)}, {model_file} needs {sorted(named)}")
    for name, digest in digests.items():
        if not (folder / name).is_file() or file_sha256(folder / name) != digest:
            raise ExportError(f"{folder / name}: missing or not the file this metadata was written with")
