"""metadata.json and index.json: what they hold, checked against web/*.schema.json before they are written.

metadata.json is the contract with the page; web/metadata.schema.json defines every key and
write_metadata checks it. Each model is a folder exported/<name>/; exported/index.json lists them
(update_index), the default first. A document the page would refuse is never written.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pipeline.config import (
    DATASETS,
    DEFAULT_DATASET,
    IMAGE_SHAPE,
    INDEX_FILE,
    LOW_RES_SHAPE,
    METADATA_FORMAT,
    METADATA_FORMAT_VERSION,
    METADATA_SCHEMA,
    VALUE_RANGE,
    ModelConfig,
    model_name,
)
from pipeline.export import (
    DISCRIMINATOR_FOLDER,
    DISCRIMINATOR_TOLERANCE,
    METADATA_FILE,
    MODEL_FILE,
    TOLERANCE,
    ExportError,
    file_sha256,
    model_files,
)
from pipeline.files import write_atomically
from pipeline.variants import DEFAULT_VARIANT, UPSCALE

# What the index repeats of each model's evaluation, so a picker can compare models without
# loading every metadata.json.
INDEX_METRICS = ("fid", "confident_fraction", "precision", "recall", "label_accuracy")
# The same for an upscaler (SRGAN): its digits' and bicubic's scores on the held-out digits.
INDEX_UPSCALE_METRICS = ("psnr", "ssim", "judge_accuracy")


def generator_inputs_spec(model_config: ModelConfig) -> list[dict]:
    """The generator's inputs as metadata.json lists them, in its input order.

    noise [null, latent] standard normal; label [null, classes] one-hot (conditional models);
    noise_14 [null, 14, 14, 1], noise_28 [null, 28, 28, 1] standard normal (LAPGAN); SRGAN takes
    only low_res [null, 7, 7, 1], a digit in the output range averaged over 4x4 blocks.
    """
    if model_config.spec.task == UPSCALE:
        return [{"name": "low_res", "shape": [None, *LOW_RES_SHAPE], "encoding": "image"}]
    inputs = [{"name": "noise", "shape": [None, model_config.latent_dim], "distribution": "standard_normal"}]
    if model_config.conditional:
        inputs.append({"name": "label", "shape": [None, model_config.num_classes], "encoding": "one_hot"})
    for shape in model_config.spec.noise_planes:
        inputs.append({"name": f"noise_{shape[0]}", "shape": [None, *shape], "distribution": "standard_normal"})
    return inputs


def outputs_spec(model_config: ModelConfig) -> list[dict]:
    """The generator's outputs: the image, then (LAPGAN) its pyramid's coarser levels, finest first:
    level_14 [null, 14, 14, 1], level_7 [null, 7, 7, 1]."""
    coarser = model_config.spec.pyramid[:-1]
    return [{"name": "image", "shape": [None, *IMAGE_SHAPE]}] + [
        {"name": f"level_{size}", "shape": [None, size, size, 1]} for size in reversed(coarser)
    ]


def discriminator_entry(
    discriminator, folder: Path, model_config: ModelConfig, quantize: str, differences: dict
) -> dict:
    """metadata.json's "discriminator": the TF.js model written in folder/discriminator by
    export.write_discriminator; it maps [image, label when conditional] to a logit [N, 1]."""
    inputs = [{"name": "image", "shape": [None, *IMAGE_SHAPE], "encoding": "image"}]
    if model_config.conditional:
        inputs.append({"name": "label", "shape": [None, model_config.num_classes], "encoding": "one_hot"})
    shipped = model_files(Path(folder) / DISCRIMINATOR_FOLDER)
    return {
        "model_file": f"{DISCRIMINATOR_FOLDER}/{MODEL_FILE}",
        "inputs": inputs,
        "output": "logit",
        "quantization": quantize,
        "model_bytes": sum(f.stat().st_size for f in shipped),
        "sha256": {f"{DISCRIMINATOR_FOLDER}/{f.name}": file_sha256(f) for f in shipped},
        "parameters": int(discriminator.count_params()),
        "export_check": {
            "max_abs_diff": differences,
            "tolerance": {
                "float32": DISCRIMINATOR_TOLERANCE["none"],
                **({quantize: DISCRIMINATOR_TOLERANCE[quantize]} if quantize != "none" else {}),
            },
        },
    }


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
    discriminator: dict | None = None,
    timeline: dict | None = None,
) -> dict:
    """The contract with the page, as web/metadata.schema.json defines it (write_metadata checks it).

    `name` is the model's folder under exported/ (default: config.model_name); `class_names`
    default to the dataset's ("0".."9" for MNIST, "T-shirt/top".. for Fashion-MNIST).
    """
    title = DATASETS.get(dataset, {}).get("title", dataset)  # "MNIST"; own images: the name given
    if class_names is None:
        class_names = DATASETS.get(dataset, {}).get("class_names") or tuple(map(str, range(model_config.num_classes)))
    shipped = model_files(folder)
    return {
        "format": METADATA_FORMAT,
        "format_version": METADATA_FORMAT_VERSION,
        "model_file": MODEL_FILE,
        "name": name or model_name(dataset, model_config.variant),
        "dataset": dataset,
        "description": f"{title} · {model_config.spec.description}",
        "variant": model_config.variant,
        "task": model_config.spec.task,
        "latent_dim": model_config.latent_dim,
        "num_classes": model_config.num_classes,
        "class_names": list(class_names[: model_config.num_classes]),
        "inputs": generator_inputs_spec(model_config),
        "outputs": outputs_spec(model_config),
        "image_shape": list(IMAGE_SHAPE),
        "output_range": list(VALUE_RANGE),
        "quantization": quantize,
        "model_bytes": sum(f.stat().st_size for f in shipped),
        # Lets anyone check that model.json and its shards belong together (and to this metadata).
        "sha256": {f.name: file_sha256(f) for f in shipped},
        "parameters": int(generator.count_params()),
        # Max |TF.js reload - Keras| per weight format: float32 always, and the quantized files that ship.
        "export_check": {
            "max_abs_diff": differences,
            "tolerance": {
                "float32": TOLERANCE["none"],
                **({quantize: TOLERANCE[quantize]} if quantize != "none" else {}),
            },
        },
        "discriminator": discriminator,
        "training": training,
        "evaluation": evaluation,
        **({"timeline": timeline} if timeline else {}),  # pipeline.timeline; none for a run that kept none
    }


@functools.cache
def metadata_schema() -> dict:
    """web/metadata.schema.json, the contract the page also checks metadata.json against."""
    return json.loads(METADATA_SCHEMA.read_text())


@functools.cache
def index_schema() -> dict:
    """web/index.schema.json, the contract the page also checks exported/index.json against."""
    return json.loads(METADATA_SCHEMA.with_name("index.schema.json").read_text())


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


def _check_schema(document: dict, schema: dict, file: str) -> None:
    """Raise ExportError naming `file` and the field jsonschema finds most relevant, if any breaks `schema`."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        raise ExportError(f"{file}: {_schema_problem(error)}")


def validate_metadata(content: dict) -> None:
    """Raise ExportError (one line naming the bad field) unless `content` follows web/metadata.schema.json
    and its fields agree where the schema cannot say so (the schema's $comment lists those checks)."""
    _check_schema(content, metadata_schema(), METADATA_FILE)
    if len(content["class_names"]) != content["num_classes"]:
        raise ExportError(
            f"metadata.json: class_names must name each of the {content['num_classes']} classes "
            f"(got {len(content['class_names'])})"
        )
    inputs = content["inputs"]
    names = f"[{', '.join(i['name'] for i in inputs)}]"
    if content.get("task", "generate") == "upscale":
        if [i["name"] for i in inputs] != ["low_res"]:
            raise ExportError(f'metadata.json: inputs must be [low_res] for an upscaler (task "upscale"), not {names}')
        inputs = []
    elif inputs[0]["name"] != "noise" or (content["num_classes"] > 0) != (
        len(inputs) > 1 and inputs[1]["name"] == "label"
    ):
        raise ExportError(f"metadata.json: inputs must be noise, then label exactly when num_classes > 0 (got {names})")
    widths = ("latent_dim", "num_classes") if content["num_classes"] > 0 else ("latent_dim",)
    for index, (model_input, field) in enumerate(zip(inputs, widths)):
        if model_input["shape"][1] != content[field]:
            raise ExportError(
                f"metadata.json: inputs[{index}].shape[1] must be {field} ({content[field]}), "
                f"not {model_input['shape'][1]}"
            )
    for index, model_input in enumerate(inputs[len(widths) :], start=len(widths)):
        if model_input.get("distribution") != "standard_normal":
            raise ExportError(
                f"metadata.json: inputs[{index}] ({model_input['name']}) must be a noise plane: "
                'distribution "standard_normal"'
            )
    image = (content.get("outputs") or [None])[0]
    if image and image["shape"][1:] != content["image_shape"]:
        shape = ", ".join(map(str, content["image_shape"]))
        raise ExportError(f"metadata.json: outputs[0].shape must be [null, {shape}] (image_shape)")
    low, high = content["output_range"]
    if not low < high:
        raise ExportError(f"metadata.json: output_range must be [low, high] with low < high (got [{low}, {high}])")


def write_metadata(folder: Path, content: dict) -> None:
    """metadata.json into `folder`, after validate_metadata: a file the page would refuse is never written."""
    validate_metadata(content)
    write_atomically(Path(folder) / METADATA_FILE, json.dumps(content, indent=2) + "\n")


# ---------------------------------------------------------------- the index of shipped models


def index_entry(content: dict) -> dict:
    """One model's line in exported/index.json, from its metadata."""
    evaluation = content.get("evaluation") or {}
    generated, real = evaluation.get("generated", {}), evaluation.get("real", {})
    upscale = {}
    if evaluation.get("upscaled"):
        upscale = {
            **{key: evaluation["upscaled"][key] for key in INDEX_UPSCALE_METRICS},
            **{f"bicubic_{key}": evaluation["bicubic"][key] for key in INDEX_UPSCALE_METRICS},
        }
    return {
        "name": content["name"],
        "dataset": content["dataset"],
        "variant": content["variant"],
        "description": content["description"],
        "metadata": f"{content['name']}/{METADATA_FILE}",
        "model_bytes": content["model_bytes"],
        "metrics": {key: generated.get(key) for key in INDEX_METRICS} if generated else None,
        "real_fid": real.get("fid"),
        "task": content.get("task", "generate"),
        **({"upscale_metrics": upscale} if upscale else {}),
    }


def validate_index(index: dict) -> None:
    """Raise ExportError (one line naming the bad field) unless `index` follows web/index.schema.json,
    names each model once and points at each one's <name>/metadata.json (the schema's $comment)."""
    _check_schema(index, index_schema(), INDEX_FILE)
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
