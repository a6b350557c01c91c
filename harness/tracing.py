"""Real digits as pen strokes: a 28x28 digit's ink thinned to its skeleton and traced into polylines a test can draw."""

from __future__ import annotations

import gzip

import numpy as np

from pipeline.config import ROOT

MNIST_TEST = ROOT.parent / "shared" / "data" / "mnist-test"  # the real MNIST test set, when this checkout has it
UPSCALE = 8  # the digit is traced at 224x224: a skeleton smooth enough to draw
POINT_SPACING = 4  # of those pixels between two points of a stroke (0.5 MNIST pixel)
MIN_STROKE = 6  # pixels: shorter pieces are thinning's spurs and corners, covered by the pen anyway


def mnist_test_digits() -> tuple[np.ndarray, np.ndarray] | None:
    """The MNIST test set -> (uint8 [10000, 28, 28], uint8 [10000]), or None when it is not here."""
    images, labels = MNIST_TEST / "t10k-images-idx3-ubyte.gz", MNIST_TEST / "t10k-labels-idx1-ubyte.gz"
    if not (images.is_file() and labels.is_file()):
        return None
    pixels = np.frombuffer(gzip.decompress(images.read_bytes()), np.uint8, offset=16).reshape(-1, 28, 28)
    return pixels, np.frombuffer(gzip.decompress(labels.read_bytes()), np.uint8, offset=8)


def thin(binary: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning: a bool image -> its one-pixel-wide, 8-connected skeleton (bool, same shape)."""
    image = np.pad(binary.astype(np.uint8), 1)
    while True:
        changed = False
        for phase in (0, 1):
            # Neighbours P2..P9, clockwise from north, of every pixel.
            n = [np.roll(image, shift, axis=(0, 1)) for shift in _CLOCKWISE]
            count = sum(n)
            transitions = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
            north, east, south, west = n[0], n[2], n[4], n[6]
            if phase == 0:
                side = (north * east * south == 0) & (east * south * west == 0)
            else:
                side = (north * east * west == 0) & (north * south * west == 0)
            remove = (image == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                image[remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


# np.roll shifts that bring the neighbour N, NE, E, SE, S, SW, W, NW of each pixel onto it.
_CLOCKWISE = [(1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1)]
_STEPS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]  # (dy, dx), the same order


def trace(skeleton: np.ndarray) -> list[list[tuple[float, float]]]:
    """A skeleton -> polylines of (x, y) pixel positions covering each of its links once.

    Walks start at line ends, then at junctions, then anywhere (closed loops); each walk follows
    untravelled links, going as straight as it can, until none is left where it stands.
    """
    pixels = {(int(y), int(x)) for y, x in zip(*np.nonzero(skeleton), strict=True)}

    def around(p):
        return [(p[0] + dy, p[1] + dx) for dy, dx in _STEPS if (p[0] + dy, p[1] + dx) in pixels]

    travelled: set[frozenset] = set()

    def untravelled(p):
        return [q for q in around(p) if frozenset((p, q)) not in travelled]

    strokes = []
    for kind in ("end", "junction", "any"):
        for start in sorted(pixels):
            degree = len(around(start))
            if (kind == "end" and degree != 1) or (kind == "junction" and degree < 3):
                continue
            while untravelled(start):
                path = [start]
                while options := untravelled(path[-1]):
                    last = path[-1]
                    heading = np.subtract(last, path[-2]) if len(path) > 1 else None
                    nxt = min(options, key=lambda q: 0 if heading is None else -np.dot(np.subtract(q, last), heading))
                    travelled.add(frozenset((last, nxt)))
                    path.append(nxt)
                if len(path) >= MIN_STROKE:
                    strokes.append([(x, y) for y, x in path])
    return strokes


def digit_strokes(digit: np.ndarray) -> list[list[tuple[float, float]]]:
    """uint8 [28, 28] (255 = ink) -> strokes of (x, y) points in 0..1 of the 28x28 field, points POINT_SPACING apart."""
    from PIL import Image

    size = 28 * UPSCALE
    large = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR))
    strokes = []
    for path in trace(thin(large >= 128)):
        points = path[::POINT_SPACING] + ([path[-1]] if (len(path) - 1) % POINT_SPACING else [])
        strokes.append([((x + 0.5) / size, (y + 0.5) / size) for x, y in points])
    return strokes


def render_strokes(strokes, pen_share: float, side: int = 200, supersample: int = 4) -> np.ndarray:
    """Strokes rendered as web/strokes.js renderFrame frames them (points' longer side `side` px, a round
    pen pen_share * side wide), anti-aliased by supersampling -> float32 ink [H, W] in 0..1."""
    from PIL import Image, ImageDraw

    points = np.concatenate([np.asarray(stroke) for stroke in strokes])
    low = points.min(axis=0)
    scale = side / max(float((points.max(axis=0) - low).max()), 0.04)
    pen = pen_share * side
    margin = int(np.ceil(pen / 2)) + 2
    width, height = (np.ceil((points.max(axis=0) - low) * scale) + 2 * margin).astype(int)
    canvas = Image.new("L", (int(width) * supersample, int(height) * supersample), 0)
    draw = ImageDraw.Draw(canvas)
    radius = pen * supersample / 2
    for stroke in strokes:
        xy = [tuple((margin + (np.asarray(p) - low) * scale) * supersample) for p in stroke]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=round(pen * supersample), joint="curve")
        for x, y in xy:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas.resize((int(width), int(height)), Image.BOX), np.float32) / 255.0


def calibrate_pen(count: int = 300, shares=np.arange(0.10, 0.241, 0.01)) -> dict[float, float]:
    """How web/strokes.js PEN_SHARE was chosen: for `count` MNIST test digits traced by digit_strokes,
    rendered with each pen share and made 28x28 by pipeline.images.to_digit (the build's own MNIST
    recipe) -> {share: mean |difference| from the digits, on 0..1}; PEN_SHARE is the smallest."""
    from pipeline.images import to_digit

    images, _ = mnist_test_digits()
    errors = {}
    chosen = images[:: len(images) // count][:count]
    traced = [digit_strokes(digit) for digit in chosen]
    for share in shares:
        rendered = [to_digit(render_strokes(s, share) * 255.0, ink_is_dark=False) for s in traced]
        errors[round(float(share), 3)] = float(np.mean(np.abs(np.stack(rendered) / 255.0 - chosen / 255.0)))
    return errors


def main() -> None:
    """Print the calibration: .venv/bin/python -m harness.tracing (needs the MNIST test set)."""
    if mnist_test_digits() is None:
        raise SystemExit(f"no MNIST test set in {MNIST_TEST}")
    for share, error in calibrate_pen().items():
        print(f"pen share {share:.2f}: mean |difference| {error:.4f}")


if __name__ == "__main__":
    main()
