"""web/metadata.schema.json and web/index.schema.json are the one statement of the contract with the page:
the export, the committed exports and the page's own validator (web/schema.js, run under node) all follow them."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess

import jsonschema
import pytest

from pipeline import contract, serve
from pipeline.config import (
    DATASETS,
    EXPORTED_ROOT,
    INDEX_FILE,
    METADATA_FORMAT,
    METADATA_FORMAT_VERSION,
    METADATA_SCHEMA,
    QUANTIZATIONS,
    ROOT,
    ModelConfig,
)
from pipeline.export import ExportError
from pipeline.variants import VARIANTS

COMMITTED_INDEX = EXPORTED_ROOT / INDEX_FILE
INDEX_SCHEMA = METADATA_SCHEMA.with_name("index.schema.json")
NODE_CHECK = ROOT / "tests" / "js" / "metadata_check.mjs"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(METADATA_SCHEMA.read_text())


@pytest.fixture(scope="module")
def index_schema() -> dict:
    return json.loads(INDEX_SCHEMA.read_text())


@pytest.fixture(scope="module")
def committed_index() -> dict:
    if not COMMITTED_INDEX.is_file():
        pytest.skip(f"no committed export at {COMMITTED_INDEX}")
    return json.loads(COMMITTED_INDEX.read_text())


@pytest.fixture(scope="module")
def committed(committed_index) -> dict:
    """The default model's metadata.json: the first the committed index lists."""
    return json.loads((EXPORTED_ROOT / committed_index["models"][0]["metadata"]).read_text())


def with_classes(names: list[str]):
    """An edit that makes the (conditional) metadata name these classes, with a label input to match."""

    def edit(metadata):
        metadata.update(num_classes=len(names), class_names=list(names))
        metadata["inputs"][1]["shape"][1] = len(names)
        for metrics in (metadata["evaluation"]["generated"], metadata["evaluation"]["real"]):
            metrics["class_histogram"] = [1 / len(names)] * len(names)

    return edit


def unconditional(metadata: dict) -> dict:
    """The committed (conditional) metadata turned into a valid unconditional dcgan's."""
    metadata.update(variant="dcgan", num_classes=0, class_names=[], inputs=metadata["inputs"][:1])
    metadata["training"]["variant"] = "dcgan"
    for metrics in (metadata["evaluation"]["generated"], metadata["evaluation"]["real"]):
        metrics["label_accuracy"] = None
    return metadata


# What pipeline.superres.evaluate_upscaler returns, with made-up numbers.
UPSCALE_EVALUATION = {
    "heldout_source": "MNIST test set",
    "samples": 10_000,
    "judge": {"heldout_accuracy": 0.99},
    "upscaled": {"psnr": 22.0, "ssim": 0.9, "judge_accuracy": 0.97},
    "bicubic": {"psnr": 18.0, "ssim": 0.7, "judge_accuracy": 0.8},
    "original": {"judge_accuracy": 0.99},
}


def setter(*path_and_value):
    """An edit that sets metadata[path...] = value."""
    *path, key, value = path_and_value

    def edit(metadata):
        target = metadata
        for part in path:
            target = target[part]
        target[key] = value

    return edit


def remover(*path):
    def edit(metadata):
        target = metadata
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


# Documents the schema allows: edits of the committed metadata.
VALID = {
    "committed": lambda m: None,
    "unconditional": unconditional,
    "not evaluated": setter("evaluation", None),
    "float32 weights": lambda m: m.update(
        quantization="none", export_check={"max_abs_diff": {"float32": 0.0}, "tolerance": {"float32": 1e-4}}
    ),
    "no rate": setter("training", "images_per_second", None),
    "no losses yet": setter("training", "final_losses", {}),
    "training key added later": setter("training", "note", "more keys may be added"),
    "integral float": setter("latent_dim", 64.0),
    "model file in a folder": setter("model_file", "tfjs/model.json"),
    "RGB image": lambda m: m.update(image_shape=[32, 32, 3], outputs=[{"name": "image", "shape": [None, 32, 32, 3]}]),
    "Fashion-MNIST": lambda m: (
        with_classes(list(DATASETS["fashion-mnist"]["class_names"]))(m),
        m.update(name="fashion-mnist-cgan", dataset="fashion-mnist", description="Fashion-MNIST · conditional GAN"),
    ),
    "own images, 3 classes": lambda m: (
        with_classes(["circle", "square", "triangle"])(m),
        m.update(name="shapes_v1.2", dataset="my shapes", description="my shapes · conditional GAN"),
    ),
    "own images, 2 classes": with_classes(["cat", "dog"]),
}

# Documents the schema refuses, and the field each must be refused for.
INVALID = {
    "empty object": (lambda m: m.clear(), "format"),
    "no latent_dim": (remover("latent_dim"), "latent_dim"),
    "no sha256": (remover("sha256"), "sha256"),
    "no evaluation": (remover("evaluation"), "evaluation"),
    "unknown key": (setter("extra", 1), "extra"),
    "other format": (setter("format", "onnx"), "format"),
    "version 1": (setter("format_version", 1), "format_version"),
    "version 3": (setter("format_version", 3), "format_version"),
    "no name": (remover("name"), "name"),
    "no dataset": (remover("dataset"), "dataset"),
    "no description": (remover("description"), "description"),
    "name with a slash": (setter("name", "a/b"), "name"),
    "name with a space": (setter("name", "my model"), "name"),
    "name starting with a dot": (setter("name", ".cgan"), "name"),
    "name empty": (setter("name", ""), "name"),
    "dataset empty": (setter("dataset", ""), "dataset"),
    "description empty": (setter("description", ""), "description"),
    "description a number": (setter("description", 1), "description"),
    "latent_dim a string": (setter("latent_dim", "64"), "latent_dim"),
    "latent_dim a boolean": (setter("latent_dim", True), "latent_dim"),
    "latent_dim fractional": (setter("latent_dim", 64.5), "latent_dim"),
    "latent_dim 0": (setter("latent_dim", 0), "latent_dim"),
    "num_classes 1": (setter("num_classes", 1), "num_classes"),
    "num_classes negative": (setter("num_classes", -10), "num_classes"),
    "cgan without classes": (lambda m: unconditional(m).update(variant="cgan"), "num_classes"),
    "dcgan with classes": (setter("variant", "dcgan"), "num_classes"),
    "unknown variant": (setter("variant", "wgan"), "variant"),
    "unknown quantization": (setter("quantization", "int4"), "quantization"),
    "model_file outside": (setter("model_file", "../model.json"), "model_file"),
    "model_file absolute": (setter("model_file", "/model.json"), "model_file"),
    "model_file not json": (setter("model_file", "model.bin"), "model_file"),
    "sha256 upper case": (setter("sha256", "model.json", "AB" * 32), 'sha256["model.json"]'),
    "sha256 short": (setter("sha256", "model.json", "ab"), 'sha256["model.json"]'),
    "sha256 empty": (setter("sha256", {}), "sha256"),
    "image_shape 2-d": (setter("image_shape", [28, 28]), "image_shape"),
    "image_shape 2 channels": (setter("image_shape", [28, 28, 2]), "image_shape[2]"),
    "image_shape 0 high": (setter("image_shape", [0, 28, 1]), "image_shape[0]"),
    "output_range of strings": (setter("output_range", ["-1", 1.0]), "output_range[0]"),
    "output_range 3 values": (setter("output_range", [-1, 0, 1]), "output_range"),
    "no inputs": (setter("inputs", []), "inputs"),
    "five inputs": (lambda m: m["inputs"].extend(m["inputs"][1:] * 3), "inputs"),
    "label input missing": (lambda m: m["inputs"].pop(), "inputs"),
    "uniform noise": (setter("inputs", 0, "distribution", "uniform"), "inputs[0].distribution"),
    "label as an index": (setter("inputs", 1, "encoding", "index"), "inputs[1].encoding"),
    "noise batch fixed": (setter("inputs", 0, "shape", [64, 64]), "inputs[0].shape[0]"),
    "input with extra key": (setter("inputs", 0, "mean", 0), "inputs[0].mean"),
    "class name empty": (setter("class_names", 3, ""), "class_names[3]"),
    "model_bytes 0": (setter("model_bytes", 0), "model_bytes"),
    "parameters a float": (setter("parameters", 1.5), "parameters"),
    "export_check without float32": (
        remover("export_check", "max_abs_diff", "float32"),
        "export_check.max_abs_diff.float32",
    ),
    "export_check negative": (setter("export_check", "tolerance", "uint8", -1), "export_check.tolerance.uint8"),
    "training null": (setter("training", None), "training"),
    "training without created": (remover("training", "created"), "training.created"),
    "created not UTC": (setter("training", "created", "2026-11-28 15:34"), "training.created"),
    "epochs negative": (setter("training", "epochs", -1), "training.epochs"),
    "a loss that is text": (setter("training", "final_losses", "d_loss", "1.0"), "training.final_losses.d_loss"),
    "evaluation a string": (setter("evaluation", "good"), "evaluation"),
    "precision over 1": (setter("evaluation", "generated", "precision", 1.5), "evaluation.generated.precision"),
    "histogram of strings": (
        setter("evaluation", "real", "class_histogram", 0, "0.1"),
        "evaluation.real.class_histogram[0]",
    ),
}

# Valid under the schema, refused by the checks it cannot state (its $comment): both sides must refuse.
INCONSISTENT = {
    "noise width not latent_dim": (setter("inputs", 0, "shape", 1, 63), "inputs[0].shape[1]"),
    "label width not num_classes": (setter("inputs", 1, "shape", 1, 9), "inputs[1].shape[1]"),
    "class_names not num_classes": (lambda m: m["class_names"].append("10"), "class_names"),
    "output_range upside down": (setter("output_range", [1.0, -1.0]), "output_range"),
    "a label after the label": (
        lambda m: m["inputs"].append(m["inputs"][1]),
        "inputs[2] (label) must be a noise plane",
    ),
    "the image output of another size": (
        setter("outputs", [{"name": "image", "shape": [None, 14, 14, 1]}]),
        "outputs[0].shape",
    ),
}


def edited(committed: dict, edit) -> dict:
    metadata = copy.deepcopy(committed)
    edit(metadata)
    return metadata


def refusal(validate, document: dict) -> str | None:
    """The one-line ExportError `validate` raises for `document`, or None when it accepts it."""
    try:
        validate(document)
    except ExportError as error:
        return str(error)
    return None


def python_error(metadata: dict) -> str | None:
    return refusal(contract.validate_metadata, metadata)


def assert_refused_naming(message: str | None, file: str, field: str) -> None:
    """Python's check refused the document in one line that names the file, then the field."""
    assert message is not None, "accepted"
    assert message.startswith(f"{file}: {field}"), message
    assert "\n" not in message


# ---------------------------------------------------------------- the schema and the Python side


def test_the_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_follows_the_config(schema):
    """Enums and constants come from pipeline/config.py; only the conditional variants have classes."""
    properties = schema["properties"]
    assert properties["format"]["const"] == METADATA_FORMAT
    assert properties["format_version"]["const"] == METADATA_FORMAT_VERSION
    assert properties["variant"]["enum"] == list(VARIANTS)
    assert properties["training"]["properties"]["variant"]["enum"] == list(VARIANTS)
    assert properties["quantization"]["enum"] == list(QUANTIZATIONS)
    conditional = [v for v in VARIANTS if ModelConfig(variant=v).conditional]
    assert schema["allOf"][0]["if"]["properties"]["variant"] == {"enum": conditional}
    upscalers = [v for v in VARIANTS if VARIANTS[v].task == "upscale"]
    assert schema["allOf"][2]["if"]["properties"]["variant"] == {"const": upscalers[0]} and len(upscalers) == 1
    assert properties["task"]["enum"] == sorted({variant.task for variant in VARIANTS.values()})
    # Added in version 2 without a version bump, so older version-2 files stay valid: optional.
    assert set(properties) - set(schema["required"]) == {"task", "outputs", "discriminator", "timeline"}


def test_the_committed_metadata_follows_the_schema(schema, committed):
    jsonschema.validate(committed, schema, cls=jsonschema.Draft202012Validator)
    contract.validate_metadata(committed)


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("quantize", QUANTIZATIONS)
def test_what_the_export_writes_follows_the_schema(tmp_path, committed, variant, quantize):
    """pipeline.contract.metadata for every variant and weight format, on a stand-in export folder."""
    (tmp_path / "model.json").write_text("{}")
    (tmp_path / "group1-shard1of1.bin").write_bytes(b"\0" * 16)
    generator = type("Generator", (), {"count_params": lambda self: 1234})()
    config = ModelConfig(variant=variant, latent_dim=100)
    differences = {"float32": 0.0, **({quantize: 0.01} if quantize != "none" else {})}
    training = dict(committed["training"], variant=variant)
    evaluation = (
        committed["evaluation"] if config.conditional else unconditional(copy.deepcopy(committed))["evaluation"]
    )
    if variant == "srgan":
        evaluation = UPSCALE_EVALUATION
    content = contract.metadata(config, generator, tmp_path, quantize, differences, training, evaluation)
    contract.write_metadata(tmp_path, content)
    assert json.loads((tmp_path / "metadata.json").read_text()) == json.loads(json.dumps(content))


@pytest.mark.parametrize("case", VALID)
def test_valid_documents_pass(committed, case):
    assert python_error(edited(committed, VALID[case])) is None


@pytest.mark.parametrize("case", {**INVALID, **INCONSISTENT})
def test_validate_metadata_refuses_naming_the_field(committed, case):
    edit, field = {**INVALID, **INCONSISTENT}[case]
    assert_refused_naming(python_error(edited(committed, edit)), "metadata.json", field)


def test_write_metadata_writes_nothing_it_would_refuse(tmp_path, committed):
    with pytest.raises(ExportError, match="latent_dim"):
        contract.write_metadata(tmp_path, edited(committed, setter("latent_dim", 0)))
    assert list(tmp_path.iterdir()) == []


def test_the_server_sends_the_schema_as_json():
    response = serve.create_app(exported_dir=None).test_client().get("/metadata.schema.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(METADATA_SCHEMA.read_text())


# ---------------------------------------------------------------- the page's side, under node


def run_node(schema: dict, documents: list, check: str = "metadata") -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    completed = subprocess.run(
        [node, "--no-warnings", str(NODE_CHECK)],
        input=json.dumps({"schema": schema, "documents": documents, "check": check}),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def node_verdicts(schema: dict, document: dict, valid: dict, *refused: dict, check: str = "metadata") -> dict:
    """Every case (an edit of `document`) judged by web/schema.js and the page's own check in one node run."""
    cases = {**valid, **{name: edit for table in refused for name, (edit, _) in table.items()}}
    results = run_node(schema, [edited(document, edit) for edit in cases.values()], check=check)
    return dict(zip(cases, results, strict=True))


def assert_the_page_names_the_field(schema: dict, document: dict, field: str, verdict: dict) -> None:
    """schema.js refuses `document` naming `field`, and names only what jsonschema names."""
    python_paths = {
        contract._field(error.absolute_path) for error in jsonschema.Draft202012Validator(schema).iter_errors(document)
    }
    assert verdict["errors"], "schema.js accepted what jsonschema refuses"
    assert field in {error["path"] for error in verdict["errors"]}, verdict["errors"]
    # jsonschema reports a missing or unknown key at its parent, schema.js at the key itself.
    assert all(
        error["path"] in python_paths
        or error["path"].rpartition(".")[0] in python_paths
        or error["path"].rpartition("[")[0] in python_paths
        for error in verdict["errors"]
    ), (verdict, python_paths)


@pytest.fixture(scope="module")
def page_verdicts(schema, committed) -> dict[str, dict]:
    """Every case above judged by web/schema.js and loader.js's checkMetadata in one node run."""
    return node_verdicts(schema, committed, VALID, INVALID, INCONSISTENT)


@pytest.mark.parametrize("case", VALID)
def test_the_page_accepts_what_python_accepts(page_verdicts, case):
    assert page_verdicts[case] == {"errors": [], "page": None}


@pytest.mark.parametrize("case", INVALID)
def test_the_page_and_python_refuse_the_same_field(schema, committed, page_verdicts, case):
    edit, field = INVALID[case]
    verdict = page_verdicts[case]
    assert_the_page_names_the_field(schema, edited(committed, edit), field, verdict)
    kind = "format-version" if case.startswith("version ") else "metadata-invalid"
    assert verdict["page"].startswith(f"{kind}: metadata.json")


@pytest.mark.parametrize("case", INCONSISTENT)
def test_the_page_refuses_what_the_schema_cannot_state(page_verdicts, case):
    _, field = INCONSISTENT[case]
    assert page_verdicts[case]["errors"] == []
    assert page_verdicts[case]["page"].startswith(f"metadata-invalid: metadata.json: {field}")


def test_the_page_reads_a_field_by_its_name_in_the_message(page_verdicts):
    assert 'latent_dim must be an integer >= 0 (got "64")' in page_verdicts["latent_dim a string"]["page"]
    assert "latent_dim must be >= 1 (got 0), since a generator takes noise" in page_verdicts["latent_dim 0"]["page"]
    assert "latent_dim is missing" in page_verdicts["no latent_dim"]["page"]
    assert (
        'num_classes must be an integer >= 2 (got 0), since variants "cgan" and "lapgan" are conditional'
        in (page_verdicts["cgan without classes"]["page"])
    )


def test_schema_js_refuses_a_keyword_it_does_not_implement():
    [result] = run_node({"type": "object", "propertyNames": {"pattern": "^a"}}, [{"b": 1}])
    assert "propertyNames" in result["throws"]


# ---------------------------------------------------------------- index.json: web/index.schema.json

# Indexes the schema allows: edits of the committed one.
VALID_INDEX = {
    "committed": lambda i: None,
    "an empty list of models": setter("models", []),
    "not evaluated": setter("models", 0, "metrics", None),
    "no real floor": setter("models", 0, "real_fid", None),
    "unconditional": setter("models", 0, "metrics", "label_accuracy", None),
    "a second model": lambda i: i["models"].append(
        dict(
            i["models"][0],
            name="fashion-mnist-dcgan",
            dataset="fashion-mnist",
            variant="dcgan",
            metadata="fashion-mnist-dcgan/metadata.json",
        )  # fmt: skip
    ),
}

INVALID_INDEX = {
    "empty object": (lambda i: i.clear(), "format"),
    "other format": (setter("format", "onnx"), "format"),
    "version 1": (setter("format_version", 1), "format_version"),
    "version 3": (setter("format_version", 3), "format_version"),
    "models missing": (remover("models"), "models"),
    "models an object": (setter("models", {}), "models"),
    "unknown key": (setter("extra", 1), "extra"),
    "entry without a name": (remover("models", 0, "name"), "models[0].name"),
    "name with a slash": (setter("models", 0, "name", "a/b"), "models[0].name"),
    "name starting with a dot": (setter("models", 0, "name", "..x"), "models[0].name"),
    "dataset empty": (setter("models", 0, "dataset", ""), "models[0].dataset"),
    "unknown variant": (setter("models", 0, "variant", "wgan"), "models[0].variant"),
    "description empty": (setter("models", 0, "description", ""), "models[0].description"),
    "metadata outside": (setter("models", 0, "metadata", "../cgan/metadata.json"), "models[0].metadata"),
    "metadata not metadata.json": (setter("models", 0, "metadata", "cgan/model.json"), "models[0].metadata"),
    "model_bytes 0": (setter("models", 0, "model_bytes", 0), "models[0].model_bytes"),
    "metrics a list": (setter("models", 0, "metrics", []), "models[0].metrics"),
    "metric missing": (remover("models", 0, "metrics", "fid"), "models[0].metrics.fid"),
    "precision over 1": (setter("models", 0, "metrics", "precision", 1.5), "models[0].metrics.precision"),
    "entry with extra key": (setter("models", 0, "size", 1), "models[0].size"),
}

# Valid under the schema, refused by the checks it cannot state (its $comment).
INCONSISTENT_INDEX = {
    "a name listed twice": (lambda i: i["models"].insert(1, copy.deepcopy(i["models"][0])), "models[1].name"),
    "metadata of another model": (setter("models", 0, "metadata", "other/metadata.json"), "models[0].metadata"),
}


def index_error(index: dict) -> str | None:
    return refusal(contract.validate_index, index)


def test_the_index_schema_is_valid_and_follows_the_config(index_schema, schema):
    jsonschema.Draft202012Validator.check_schema(index_schema)
    properties = index_schema["properties"]
    assert properties["format"]["const"] == METADATA_FORMAT
    assert properties["format_version"]["const"] == METADATA_FORMAT_VERSION
    entry = index_schema["$defs"]["model"]
    assert entry["properties"]["variant"]["enum"] == list(VARIANTS)
    assert set(entry["properties"]) - set(entry["required"]) == {"upscale_metrics"}  # only upscalers have it
    assert entry["properties"]["metrics"]["required"] == list(contract.INDEX_METRICS)
    # A model's name means the same in both files.
    assert entry["properties"]["name"]["pattern"] == schema["$defs"]["model_name"]["pattern"]


def test_the_committed_index_follows_the_schema_and_lists_the_default_first(index_schema, committed_index, committed):
    jsonschema.validate(committed_index, index_schema, cls=jsonschema.Draft202012Validator)
    contract.validate_index(committed_index)
    assert committed_index["models"][0] == contract.index_entry(committed)


@pytest.mark.parametrize("case", VALID_INDEX)
def test_valid_indexes_pass(committed_index, case):
    assert index_error(edited(committed_index, VALID_INDEX[case])) is None


@pytest.mark.parametrize("case", {**INVALID_INDEX, **INCONSISTENT_INDEX})
def test_validate_index_refuses_naming_the_field(committed_index, case):
    edit, field = {**INVALID_INDEX, **INCONSISTENT_INDEX}[case]
    assert_refused_naming(index_error(edited(committed_index, edit)), INDEX_FILE, field)


def test_update_index_writes_nothing_it_would_refuse(tmp_path, committed):
    """A model folder whose name the page could not ask for: the previous index stays as it was."""
    (tmp_path / "cgan").mkdir()
    contract.write_metadata(tmp_path / "cgan", committed)
    before = contract.update_index(tmp_path)
    (tmp_path / "my model").mkdir()
    contract.write_metadata(tmp_path / "my model", committed)
    with pytest.raises(ExportError, match=r"models\[1\]\.name"):
        contract.update_index(tmp_path)
    assert json.loads((tmp_path / INDEX_FILE).read_text()) == before


@pytest.fixture(scope="module")
def index_verdicts(index_schema, committed_index) -> dict[str, dict]:
    """Every index case above judged by web/schema.js and catalog.js's checkIndex in one node run."""
    return node_verdicts(index_schema, committed_index, VALID_INDEX, INVALID_INDEX, INCONSISTENT_INDEX, check="index")


@pytest.mark.parametrize("case", VALID_INDEX)
def test_the_page_accepts_the_indexes_python_accepts(index_verdicts, case):
    assert index_verdicts[case] == {"errors": [], "page": None}


@pytest.mark.parametrize("case", INVALID_INDEX)
def test_the_page_and_python_refuse_the_same_index_field(index_schema, committed_index, index_verdicts, case):
    edit, field = INVALID_INDEX[case]
    verdict = index_verdicts[case]
    assert_the_page_names_the_field(index_schema, edited(committed_index, edit), field, verdict)
    kind = "index-format-version" if case.startswith("version ") else "index-invalid"
    assert verdict["page"].startswith(f"{kind}: "), verdict["page"]
    if kind == "index-invalid" and case not in ("empty object", "other format"):
        assert verdict["page"].startswith(f"index-invalid: index.json: {field}"), verdict["page"]


@pytest.mark.parametrize("case", INCONSISTENT_INDEX)
def test_the_page_refuses_the_index_the_schema_cannot_refuse(index_verdicts, case):
    _, field = INCONSISTENT_INDEX[case]
    assert index_verdicts[case]["errors"] == []
    assert index_verdicts[case]["page"].startswith(f"index-invalid: index.json: {field}")


def test_the_server_sends_the_index_schema_as_json():
    response = serve.create_app(exported_dir=None).test_client().get("/index.schema.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(INDEX_SCHEMA.read_text())
