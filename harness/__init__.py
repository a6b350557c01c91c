"""What the tests and the benchmarks share, and the product never imports: how they start Debian's headless
Chromium (chromium.py), and real MNIST test digits traced into pen strokes (tracing.py)."""
