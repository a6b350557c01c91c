"""What one digit costs a Keras model: multiply-adds per example, counted layer by layer from its shapes."""

from __future__ import annotations

import math


def _size(shape) -> int:
    return math.prod(int(d) for d in shape[1:])


def multiply_adds(model) -> int:
    """Multiply-adds of one forward pass per example (batch 1) of a functional tf_keras model.

    Dense: inputs x units; Conv2D: output pixels x kernel area x input channels x filters;
    Conv2DTranspose: input pixels x kernel area x input channels x filters (each input pixel is
    spread over a kernel-sized patch); Dot: the vector length. Element-wise layers (activations,
    BatchNormalization at inference, Add, upsampling) are not counted: they are a few percent here.
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            total += _size(layer.input_shape) * layer.units
        elif kind == "Conv2D":
            kernel = math.prod(layer.kernel_size)
            total += _size(layer.output_shape[:-1] + (1,)) * kernel * int(layer.input_shape[-1]) * layer.filters
        elif kind == "Conv2DTranspose":
            kernel = math.prod(layer.kernel_size)
            total += _size(layer.input_shape[:-1] + (1,)) * kernel * int(layer.input_shape[-1]) * layer.filters
        elif kind == "Dot":
            total += _size(layer.input_shape[0])
    return total
