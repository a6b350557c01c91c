"""The generator as a TF.js layers model plus metadata.json, written atomically and checked against Keras.

metadata.json is the contract with the page; web/metadata.schema.json defines every key and
write_metadata checks it. Each model is a folder exported/<name>/; exported/index.json lists them
(update_index), the default first.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from pipeline.config import (
    DATASETS,
    DEFAULT_DATASET,
    DEFAULT_VARIANT,
    IMAGE_SHAPE,
    INDEX_FILE,
    METADATA_FORMAT,
    METADATA_FORMAT_VERSION,
    VALUE_RANGE,
    VARIANT_DESCRIPTIONS,
    ModelConfig,
    model_name,
)
from pipeline.data import generator_inputs
from pipeline.faults import crash_point
from pipeline.files import write_atomically

MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
# Largest |TF.js reload - Keras| accepted per quantization, on outputs in [-1, 1].
# uint8 moves single pixels of these generators by up to ~0.47 (seen on the shipped model) while
# FID, precision and recall stay within 1% (benchmarks/quantize_bench.py): its worst pixel is
# bounded here, its quality is judged by the metrics.
TOLERANCE = {"none": 1e-4, "float16": 2e-2, "uint8": 0.6}
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


def check_noise(model_config: ModelConfig, count: int = 64, seed: int = 1234):
    """A fixed batch for the parity check: noise [count, latent] and one-hot labels cycling 0..9."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((count, model_config.latent_dim)).astype(np.float32)
    labels = np.arange(count) % max(1, model_config.num_classes)
    return generator_inputs(noise, labels, model_config.num_classes)


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


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


class StagedExport:
    """A temporary folder beside `out` that becomes `out` in one step on commit().

    Until commit(), `out` is untouched; on commit() the two folders are exchanged atomically
    (renameat2), so a reader or a kill at any moment sees either the old complete export or the
    new one. Leaving the `with` block without commit() removes the staging folder.
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"

    def __enter__(self) -> StagedExport:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        for leftover in self.out.parent.glob(f".{self.out.name}.staging-*"):  # from killed builds
            shutil.rmtree(leftover, ignore_errors=True)
        self.path.mkdir()
        return self

    def commit(self) -> None:
        for file in self.path.rglob("*"):
            if file.is_file():
                with open(file, "rb") as handle:
                    os.fsync(handle.fileno())
        crash_point("export-staged")
        if self.out.exists() and _exchange(self.path, self.out):
            crash_point("export-exchanged")
            shutil.rmtree(self.path)  # now holds the previous export
        else:
            if self.out.exists():  # no renameat2: a short window without `out`, never a mix
                old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                os.rename(self.out, old)
                os.rename(self.path, self.out)
                shutil.rmtree(old)
            else:
                os.rename(self.path, self.out)

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _max_difference(generator, model_json: Path, model_config: ModelConfig) -> tuple[object, float]:
    from tensorflowjs.converters import load_keras_model

    reloaded = load_keras_model(str(model_json))
    inputs = check_noise(model_config)
    expected = generator(inputs, training=False).numpy()
    return reloaded, float(np.max(np.abs(expected - reloaded(inputs, training=False).numpy())))


def write_generator(
    generator,
    folder: Path,
    model_config: ModelConfig,
    quantize: str = "none",
    log=print,
    tolerance: float | None = None,
):
    """Convert to TF.js layers format in `folder`, reload with tensorflowjs, compare with Keras.

    The float32 conversion is always checked to 1e-4 (in a scratch folder when quantizing), so
    a converter fault is never hidden behind quantization error; the quantized files that ship
    are then checked against `tolerance` (default TOLERANCE[quantize]). Returns (reloaded tf_keras
    model, {"float32": max |diff|, quantization name: max |diff|}).
    """
    from tensorflowjs.converters import save_keras_model

    checks = ["none"] if quantize == "none" else ["none", quantize]
    differences = {}
    for kind in checks:
        target = (
            folder
            if kind == quantize
            else Path(tempfile.mkdtemp(prefix=f".{folder.name}.float32-check-", dir=folder.parent))
        )
        try:
            save_keras_model(generator, str(target), quantization_dtype_map=QUANTIZATION_MAP[kind])
            reloaded, difference = _max_difference(generator, target / MODEL_FILE, model_config)
        finally:
            if target != folder:
                shutil.rmtree(target, ignore_errors=True)
        limit = TOLERANCE[kind] if kind == "none" or tolerance is None else tolerance
        name = "float32" if kind == "none" else kind
        differences[name] = difference
        log(
            f"export check: TF.js reload vs Keras on {len(check_noise(model_config)[0])} fixed inputs, "
            f"max |diff| = {difference:.2e} ({name}, limit {limit:g})"
        )
        if not difference <= limit:
            raise ExportError(
                f"exported model does not reproduce Keras: max |diff| {difference:.3g} > {limit} ({name})"
            )
    return reloaded, differences


def metadata(
    model_config: ModelConfig,
    generator,
    folder: Path,
    quantize: str,
    differences: dict[str, float],
    training: dict,
    evaluation: dict | None,
    dataset: str = DEFAULT_DATASET,
    name: str | None = None,
    class_names: tuple[str, ...] | None = None,
) -> dict:
    """The contract with the page, as web/metadata.schema.json defines it (write_metadata checks it).

    `name` is the model's folder under exported/ (default: config.model_name); `class_names`
    default to the dataset's ("0".."9" for MNIST, "T-shirt/top".. for Fashion-MNIST).
    """
    title = DATASETS.get(dataset, {}).get("title", dataset)  # "MNIST"; own images: the name given
    if class_names is None:
        class_names = DATASETS.get(dataset, {}).get("class_names") or tuple(map(str, range(model_config.num_classes)))
    inputs = [{"name": "noise", "shape": [None, model_config.latent_dim], "distribution": "standard_normal"}]
    if model_config.conditional:
        inputs.append({"name": "label", "shape": [None, model_config.num_classes], "encoding": "one_hot"})
    return {
        "format": METADATA_FORMAT,
        "format_version": METADATA_FORMAT_VERSION,
        "model_file": MODEL_FILE,
        "name": name or model_name(dataset, model_config.variant),
        "dataset": dataset,
        "description": f"{title} · {VARIANT_DESCRIPTIONS[model_config.variant]}",
        "variant": model_config.variant,
        "latent_dim": model_config.latent_dim,
        "num_classes": model_config.num_classes,
        "class_names": list(class_names[: model_config.num_classes]),
        "inputs": inputs,
        "image_shape": list(IMAGE_SHAPE),
        "output_range": list(VALUE_RANGE),
        "quantization": quantize,
        "model_bytes": sum(f.stat().st_size for f in folder.iterdir() if f.name == MODEL_FILE or f.suffix == ".bin"),
        # Lets anyone check that model.json and its shards belong together (and to this metadata).
        "sha256": {f.name: _sha256(f) for f in sorted(folder.iterdir()) if f.name == MODEL_FILE or f.suffix == ".bin"},
        "parameters": int(generator.count_params()),
        # Max |TF.js reload - Keras| per weight format: float32 always, and the quantized files that ship.
        "export_check": {
            "max_abs_diff": differences,
            "tolerance": {
                "float32": TOLERANCE["none"],
                **({quantize: TOLERANCE[quantize]} if quantize != "none" else {}),
            },
        },
        "training": training,
        "evaluation": evaluation,
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(folder: Path) -> dict:
    """An export folder is complete and of one piece: metadata, model.json and every shard it names,
    each with the hash the metadata recorded. -> metadata; raises ExportError otherwise."""
    folder = Path(folder)
    try:
        content = json.loads((folder / METADATA_FILE).read_text())
        manifest = json.loads((folder / content["model_file"]).read_text())["weightsManifest"]
    except (OSError, ValueError, KeyError) as error:
        raise ExportError(f"{folder}: incomplete export ({error})") from None
    named = {content["model_file"]} | {path for group in manifest for path in group["paths"]}
    if set(content["sha256"]) != named:
        raise ExportError(f"{folder}: metadata lists {sorted(content['sha256'])}, model.json needs {sorted(named)}")
    for name, digest in content["sha256"].items():
        if not (folder / name).is_file() or _sha256(folder / name) != digest:
            raise ExportError(f"{folder / name}: missing or not the file this metadata was written with")
    return content


@functools.cache
def metadata_schema() -> dict:
    """web/metadata.schema.json, the contract the page also checks metadata.json against."""
    from pipeline.config import METADATA_SCHEMA

    return json.loads(METADATA_SCHEMA.read_text())


def _field(path) -> str:
    """Keys and indices as the page writes them: inputs[0].shape[1], sha256["model.json"]."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.isidentifier():
            text += f"[{json.dumps(part)}]"
        else:
            text += f".{part}" if text else part
    return text


def _schema_problem(error) -> str:
    """A jsonschema error -> one line naming the field: "latent_dim: 0 is less than the minimum of 1"."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        return f"{_field([*path, missing])} is missing"
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = error.schema.get("properties", {})
        extra = next(key for key in error.instance if key not in known)
        return f"{_field([*path, extra])} is not a known field"
    return f"{_field(path) or 'the document'}: {error.message}"


def validate_metadata(content: dict) -> None:
    """Raise ExportError (one line naming the bad field) unless `content` follows web/metadata.schema.json
    and its fields agree where the schema cannot say so (the schema's $comment lists those checks)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(metadata_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(content))
    if error is not None:
        raise ExportError(f"metadata.json: {_schema_problem(error)}")
    if len(content["class_names"]) != content["num_classes"]:
        raise ExportError(
            f"metadata.json: class_names must name each of the {content['num_classes']} classes "
            f"(got {len(content['class_names'])})"
        )
    for index, (model_input, field) in enumerate(zip(content["inputs"], ("latent_dim", "num_classes"))):
        if model_input["shape"][1] != content[field]:
            raise ExportError(
                f"metadata.json: inputs[{index}].shape[1] must be {field} ({content[field]}), "
                f"not {model_input['shape'][1]}"
            )
    low, high = content["output_range"]
    if not low < high:
        raise ExportError(f"metadata.json: output_range must be [low, high] with low < high (got [{low}, {high}])")


def write_metadata(folder: Path, content: dict) -> None:
    """metadata.json into `folder`, after validate_metadata: a file the page would refuse is never written."""
    validate_metadata(content)
    write_atomically(Path(folder) / METADATA_FILE, json.dumps(content, indent=2) + "\n")


# ---------------------------------------------------------------- the index of shipped models

# What the index repeats of each model's evaluation, so a picker can compare models without
# loading every metadata.json.
INDEX_METRICS = ("fid", "confident_fraction", "precision", "recall", "label_accuracy")


def index_entry(content: dict) -> dict:
    """One model's line in exported/index.json, from its metadata."""
    evaluation = content.get("evaluation") or {}
    generated, real = evaluation.get("generated", {}), evaluation.get("real", {})
    return {
        "name": content["name"],
        "dataset": content["dataset"],
        "variant": content["variant"],
        "description": content["description"],
        "metadata": f"{content['name']}/{METADATA_FILE}",
        "model_bytes": content["model_bytes"],
        "metrics": {key: generated.get(key) for key in INDEX_METRICS} if generated else None,
        "real_fid": real.get("fid"),
    }


@functools.cache
def index_schema() -> dict:
    """web/index.schema.json, the contract the page also checks exported/index.json against."""
    from pipeline.config import METADATA_SCHEMA

    return json.loads(METADATA_SCHEMA.with_name("index.schema.json").read_text())


def validate_index(index: dict) -> None:
    """Raise ExportError (one line naming the bad field) unless `index` follows web/index.schema.json,
    names each model once and points at each one's <name>/metadata.json (the schema's $comment)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(index_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(index))
    if error is not None:
        raise ExportError(f"{INDEX_FILE}: {_schema_problem(error)}")
    seen = set()
    for position, entry in enumerate(index["models"]):
        if entry["name"] in seen:
            raise ExportError(f"{INDEX_FILE}: models[{position}].name {entry['name']!r} is listed twice")
        seen.add(entry["name"])
        if entry["metadata"] != f"{entry['name']}/{METADATA_FILE}":
            raise ExportError(
                f"{INDEX_FILE}: models[{position}].metadata must be {entry['name']}/{METADATA_FILE}, "
                f"not {entry['metadata']}"
            )


def update_index(root: Path) -> dict:
    """Rewrite root/index.json from the model folders in `root` (atomically) -> the index.

    Every folder whose metadata.json has this format is listed, the default model (MNIST, cgan)
    first and the rest by name, so the index never names a folder that is not there and a killed
    build leaves at worst the previous, still consistent, index.
    """
    root = Path(root)
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            content = json.loads((folder / METADATA_FILE).read_text())
        except (OSError, ValueError):
            continue  # not a model folder (or a half-written one of another tool)
        if content.get("format") == METADATA_FORMAT and content.get("format_version") == METADATA_FORMAT_VERSION:
            entries.append(index_entry({**content, "name": folder.name}))
    default = model_name(DEFAULT_DATASET, DEFAULT_VARIANT)
    entries.sort(key=lambda entry: (entry["name"] != default, entry["name"]))
    index = {"format": METADATA_FORMAT, "format_version": METADATA_FORMAT_VERSION, "models": entries}
    validate_index(index)  # an index the page would refuse is never written
    write_atomically(root / INDEX_FILE, json.dumps(index, indent=2) + "\n")
    return index
