"""Browser-test fixtures: real servers on loopback, one headless Chromium per session, exports to break."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from harness.chromium import chromium_missing, launch_chromium
from pipeline import serve
from pipeline.config import DATASETS, DEFAULT_DATASET, INDEX_FILE, ROOT, ModelConfig, model_name

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# `import tensorflowjs` pulls in TF Decision Forests, whose welcome banner imports IPython when
# stdout is captured (as under pytest); IPython is not installed.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")

HERE = Path(__file__).resolve().parent
# The exports under test: the committed exported/ (index.json and a folder per model), or any other
# such folder named by GAN_DEMO_EXPORT. The page shows the model its index lists first.
COMMITTED_EXPORT = Path(os.environ.get("GAN_DEMO_EXPORT", ROOT / "exported"))
# A user's own dataset of three classes, as a build from image folders names it.
SHAPES = ("circle", "square", "triangle")
LOAD_TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- exports


# The training summary of an untrained stand-in: every key the schema requires, nothing trained.
STANDIN_TRAINING = {
    "epochs": 0,
    "images_seen": 0,
    "wall_time_s": 0.0,
    "images_per_second": None,
    "data_source": "untrained stand-in for the browser tests",
    "train_images": 0,
    "seed": 1,
    "final_losses": {},
    "created": "2026-01-01T00:00:00Z",
}


def default_model(root: Path) -> Path:
    """The folder of the model that root/index.json lists first: the one the page shows by default."""
    index = json.loads((Path(root) / INDEX_FILE).read_text())
    return Path(root) / index["models"][0]["name"]


def write_metadata(folder: Path, generator, model_config, dataset: str = DEFAULT_DATASET, class_names=None) -> dict:
    """metadata.json for a stand-in export in `folder`, made by pipeline.contract.metadata as a build makes it
    and written by contract.write_metadata, which refuses anything web/metadata.schema.json does not allow."""
    from pipeline import contract

    training = {"variant": model_config.variant, **STANDIN_TRAINING}
    content = contract.metadata(
        model_config,
        generator,
        folder,
        "none",
        {"float32": 0.0},
        training,
        None,
        dataset=dataset,
        name=folder.name,
        class_names=class_names,
    )
    contract.write_metadata(folder, content)
    return content


def build_standin(
    root: Path,
    name: str | None = None,
    *,
    conditional: bool = True,
    latent_dim: int = 64,
    dataset: str = DEFAULT_DATASET,
    class_names: tuple[str, ...] | None = None,
) -> Path:
    """A small untrained generator with the real contract and layers in root/<name>/ (by default the
    folder a build of that dataset and variant writes), listed in root/index.json by
    pipeline.contract.update_index -> root. Layers: noise (+ one-hot label) -> Dense 7x7x8 ->
    Conv2DTranspose 4x4/2 (14x14) -> Conv2DTranspose 4x4/2 tanh (28x28), the path the page speeds up."""
    import tensorflowjs as tfjs
    import tf_keras as keras
    from tf_keras import layers

    from pipeline import contract

    variant = "cgan" if conditional else "dcgan"
    names = class_names or DATASETS.get(dataset, {}).get("class_names") or tuple(map(str, range(10)))
    model_config = ModelConfig(variant=variant, latent_dim=latent_dim, num_classes=len(names))
    folder = Path(root) / (name or model_name(dataset, variant))
    keras.utils.set_random_seed(7)
    noise = keras.Input((latent_dim,), name="noise")
    inputs = [noise]
    x = noise
    if conditional:
        label = keras.Input((model_config.num_classes,), name="label")
        inputs.append(label)
        x = layers.Concatenate()([noise, label])
    x = layers.Dense(7 * 7 * 8)(x)
    x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    x = layers.Reshape((7, 7, 8))(x)
    x = layers.Conv2DTranspose(4, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.LeakyReLU(0.2)(x)
    # Biases drawn away from zero, so the test sees them added in the right channels.
    image = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", bias_initializer="he_normal")(x)
    model = keras.Model(inputs if conditional else noise, image, name="generator")
    tfjs.converters.save_keras_model(model, str(folder))
    write_metadata(folder, model, model_config, dataset, names if conditional else None)
    contract.update_index(root)
    return Path(root)


def has_committed_export() -> bool:
    return (COMMITTED_EXPORT / INDEX_FILE).is_file()


@pytest.fixture(scope="session")
def trained_export() -> Path:
    """The committed, trained exports; tests that need real digits skip without them."""
    if not has_committed_export():
        pytest.skip(f"no trained model in {COMMITTED_EXPORT} (commit one, or set GAN_DEMO_EXPORT)")
    return COMMITTED_EXPORT


@pytest.fixture(scope="session")
def model_export(tmp_path_factory) -> Path:
    """The committed exports when there are some, else an untrained stand-in cgan with the same contract."""
    if has_committed_export():
        return COMMITTED_EXPORT
    return build_standin(tmp_path_factory.mktemp("standin-cgan"))


@pytest.fixture(scope="session")
def unconditional_export(tmp_path_factory) -> Path:
    return build_standin(tmp_path_factory.mktemp("standin-dcgan"), conditional=False, latent_dim=32)


@pytest.fixture(scope="session")
def multi_export(tmp_path_factory, model_export) -> Path:
    """Four models, as builds of several datasets leave them: the default cgan of `model_export` first,
    then stand-ins: an unconditional dcgan (latent 32), a Fashion-MNIST cgan and a 3-class cgan of
    a user's own images ("shapes")."""
    root = tmp_path_factory.mktemp("exports")
    shutil.copytree(default_model(model_export), root / "cgan", ignore=shutil.ignore_patterns("report"))
    build_standin(root, conditional=False, latent_dim=32)
    build_standin(root, dataset="fashion-mnist", latent_dim=16)
    return build_standin(root, "shapes", dataset="shapes", class_names=SHAPES, latent_dim=8)


@pytest.fixture
def broken_export(tmp_path, model_export) -> Path:
    """A copy of the exports for a test to break (its default model: default_model(broken_export))."""
    ignore = shutil.ignore_patterns("report")
    return Path(shutil.copytree(model_export, tmp_path / "exported", ignore=ignore))


@pytest.fixture(scope="session")
def keras_generator(model_export):
    """The default model reloaded by the tensorflowjs converter: the Keras side of the parity checks."""
    from tensorflowjs.converters import load_keras_model

    return load_keras_model(str(default_model(model_export) / "model.json"))


# ---------------------------------------------------------------- servers


class HangUp:
    """WSGI middleware: requests whose path ends with `suffix` get a connection cut mid-answer.

    mode "hangup" closes the socket before any byte is sent; mode "truncate" promises the full
    Content-Length, sends a few bytes, then closes: what a server dying mid-download looks like.
    """

    def __init__(self, app, suffix: str, mode: str = "hangup"):
        self.app, self.suffix, self.mode = app, suffix, mode

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].endswith(self.suffix):
            return self.app(environ, start_response)
        connection = environ["werkzeug.socket"]
        if self.mode == "truncate":
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Length: 100000\r\nCache-Control: no-cache\r\n\r\n" + b"\0" * 100
            )
        connection.shutdown(socket.SHUT_RDWR)
        connection.close()
        return []


class CloseConnections:
    """WSGI middleware: every response says Connection: close, so a shut-down server leaves no live sockets."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Connection", "close")], exc_info)

        return self.app(environ, start)


@dataclass
class Servers:
    """Starts apps on free loopback ports; every server stops at the end of the session."""

    running: list = field(default_factory=list)

    def start(
        self,
        exported: Path | None,
        *,
        isolation: bool = False,
        wrap: Callable | None = None,
        vendor: Path | None = None,
    ):
        app = serve.create_app(
            ROOT / "web", exported, vendor or serve.DEFAULT_VENDOR_DIR, cross_origin_isolation=isolation
        )
        if wrap is not None:
            app.wsgi_app = wrap(app.wsgi_app)
        server, url = serve.serve_in_thread(app)
        self.running.append(server)
        return server, url

    def url(self, exported: Path | None, **options) -> str:
        return self.start(exported, **options)[1]

    def stop(self, server) -> None:
        if server in self.running:
            self.running.remove(server)
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    pool = Servers()
    yield pool
    for server in list(pool.running):
        pool.stop(server)


@pytest.fixture(scope="session")
def base_url(servers, model_export) -> str:
    return servers.url(model_export)


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    with sync_api.sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


@dataclass
class PageRun:
    """A page plus everything it logged and asked for."""

    page: object
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"] + self.page_errors

    def ready(self) -> None:
        """Wait for the first grid; fails with the page's own error message when there is one."""
        self.page.evaluate("() => window.ganDemo.ready")

    def error_text(self) -> str:
        """Wait for the error box and return its text."""
        self.page.wait_for_selector("#error:not([hidden])", timeout=LOAD_TIMEOUT_MS)
        return self.page.inner_text("#error")

    def digits(self) -> tuple[np.ndarray, list[int] | None]:
        """The drawn canvases -> (grey levels uint8 [N, 28, 28] from the red channel, data-label per canvas)."""
        data = self.page.evaluate(
            """() => Array.from(document.querySelectorAll('canvas.digit'), (canvas) => ({
                  label: canvas.dataset.label,
                  pixels: Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data),
                }))"""
        )
        images = np.array([np.array(d["pixels"], np.uint8).reshape(28, 28, 4)[..., 0] for d in data])
        labels = [int(d["label"]) for d in data] if data and data[0]["label"] is not None else None
        return images, labels

    def tensor_counts(self, step: str, args: list) -> tuple[int, list[int]]:
        """tf.memory().numTensors with the page idle, then again after each awaited `step(arg)` (a JS
        function) and the idle that follows it: a leak shows as a count that keeps growing."""
        return self.page.evaluate(
            f"""async (args) => {{
                 const step = {step};
                 await ganDemo.idle();
                 const before = tf.memory().numTensors;
                 const after = [];
                 for (const arg of args) {{
                   await step(arg);
                   await ganDemo.idle();
                   after.push(tf.memory().numTensors);
                 }}
                 return [before, after];
               }}""",
            args,
        )

    def last_batch(self) -> dict:
        return self.page.evaluate(
            """() => { const b = window.ganDemo.lastBatch;
                       return {...b, noise: Array.from(b.noise), labels: b.labels && Array.from(b.labels)}; }"""
        )


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., PageRun]]:
    """open_page(url) -> PageRun in a fresh context (fresh cache and storage); closed after the test."""
    contexts = []

    def opener(
        url: str, *, init_script: str | None = None, goto: bool = True, viewport: tuple[int, int] = (1200, 900)
    ) -> PageRun:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        run = PageRun(page)
        page.on("console", lambda message: run.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: run.page_errors.append(str(error)))
        page.on("request", lambda request: run.requests.append(request.url))
        if goto:
            page.goto(url)
        return run

    yield opener
    for context in contexts:
        context.close()


def host_of(url: str) -> str | None:
    """The host a request went to; blob: URLs carry their creator's origin after the scheme."""
    if url.startswith("blob:"):
        url = url[len("blob:") :]
    if url.startswith("data:"):
        return "data"
    return urlsplit(url).hostname
