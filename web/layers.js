/** The TF.js layer classes the page builds the generator with: the same outputs, computed (and differentiated) faster on WASM. */

import { subPixelKernel } from './subpixel.js';

const tf = globalThis.tf; // generator.js, the only importer, runs once TF.js is there

let registered = false;

/**
 * Make tf.loadLayersModel build the generator's Conv2DTranspose, BatchNormalization, Dense and Conv2D
 * layers from the classes below. Each gives TF.js's own output; where it applies, the transposed
 * convolution runs in its sub-pixel form, and the three layers' gradients with respect to their
 * input (all that inverting the generator needs, invert.js) skip the slow kernels: without them a
 * step of gradient descent on the noise costs 11x a generation on WASM, with them about 2x.
 */
export function registerFastLayers() {
  if (registered) return;
  registered = true;
  const classOf = (layer) => layer.constructor;
  for (const Layer of [
    subPixelConv2DTranspose(classOf(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1 }))),
    inputGradientBatchNormalization(classOf(tf.layers.batchNormalization({}))),
    inputGradientDense(classOf(tf.layers.dense({ units: 1 }))),
    inputGradientConv2D(classOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 }))),
  ]) {
    tf.serialization.registerClass(Layer); // replaces TF.js's class for that Keras name
  }
}

/** `value(x)` whose gradient with respect to x is `gradient(dy)`; x: the layer's one input tensor. */
function withInputGradient(x, value, gradient) {
  return tf.customGrad((input) => ({ value: value(input), gradFunc: gradient }))(x);
}

const single = (inputs) => (Array.isArray(inputs) ? inputs[0] : inputs);

/*
 * The generator upsamples with Conv2DTranspose (4x4 kernel, stride 2, 'same' padding); the page
 * runs those layers in the sub-pixel form of subpixel.js (a 3x3 Conv2D into 4x the channels, then
 * depth-to-space), which TF.js's WASM backend runs about 2.5x faster. The parity tests hold it to
 * the Keras output within one grey level on every backend.
 */
function subPixelConv2DTranspose(Conv2DTranspose) {
  class SubPixelConv2DTranspose extends Conv2DTranspose {
    call(inputs, kwargs) {
      const same = (values, expected) => values.length === 2 && values.every((value) => value === expected);
      const applies =
        same(this.kernelSize, 4) &&
        same(this.strides, 2) &&
        this.padding === 'same' &&
        this.dataFormat === 'channelsLast';
      if (!applies) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const input = single(inputs);
        const [n, h, w] = input.shape; // [n, h, w, inChannels]
        if (!this.subPixelKernel) {
          const kernel = this.kernel.read(); // [4, 4, filters, inChannels], read once
          const [, , filters, inChannels] = kernel.shape;
          const values = subPixelKernel(kernel.dataSync(), kernel.shape);
          this.subPixelKernel = tf.keep(tf.tensor4d(values, [3, 3, inChannels, 4 * filters]));
          // Its adjoint: turned 180 degrees, in and out channels swapped [3, 3, 4 * filters, inChannels].
          this.adjointKernel = tf.keep(tf.reverse(this.subPixelKernel, [0, 1]).transpose([0, 1, 3, 2]));
        }
        // The input gradient of a 3x3 'same' convolution is the convolution of dy with the adjoint
        // kernel: the numbers of TF.js's Conv2DBackpropInput, which WASM runs 10x slower.
        const phases = withInputGradient(
          input,
          (x) => tf.conv2d(x, this.subPixelKernel, 1, 'same'), // [n, h, w, (a, b, filters)]
          (dy) => tf.conv2d(dy, this.adjointKernel, 1, 'same'),
        );
        // depthToSpace(2) as reshape-transpose-reshape, several times faster on WASM:
        // [n*h, w, a, (b, filters)] -> [n*h, a, w, (b, filters)] -> [n, 2h, 2w, filters]
        let output = phases
          .reshape([n * h, w, 2, 2 * this.filters])
          .transpose([0, 2, 1, 3])
          .reshape([n, 2 * h, 2 * w, this.filters]);
        if (this.bias != null) output = tf.add(output, this.bias.read());
        return this.activation != null ? this.activation.apply(output) : output;
      });
    }

    disposeWeights() {
      for (const kernel of [this.subPixelKernel, this.adjointKernel]) if (kernel) kernel.dispose();
      this.subPixelKernel = null;
      this.adjointKernel = null;
      return super.disposeWeights();
    }
  }
  SubPixelConv2DTranspose.className = 'Conv2DTranspose';
  return SubPixelConv2DTranspose;
}

/*
 * In inference, batch normalisation over the last axis is y = (x - mean) * gamma / sqrt(var + eps)
 * + beta, so dy/dx is the per-channel factor gamma / sqrt(var + eps), broadcast. TF.js's own
 * gradient first tiles that factor to x's shape, which WASM does slowly.
 */
function inputGradientBatchNormalization(BatchNormalization) {
  class InputGradientBatchNormalization extends BatchNormalization {
    call(inputs, kwargs) {
      const input = single(inputs);
      const lastAxis = [-1, input.rank - 1].includes(Number(this.axis));
      if ((kwargs && kwargs.training) || !lastAxis) return super.call(inputs, kwargs);
      if (!this.inputGradientScale) {
        this.inputGradientScale = tf.tidy(() => {
          const scale = tf.rsqrt(this.movingVariance.read().add(this.epsilon)); // [channels]
          return tf.keep(this.gamma ? scale.mul(this.gamma.read()) : scale);
        });
      }
      return withInputGradient(
        input,
        (x) => super.call(x, kwargs),
        (dy) => dy.mul(this.inputGradientScale),
      );
    }

    disposeWeights() {
      if (this.inputGradientScale) this.inputGradientScale.dispose();
      this.inputGradientScale = null;
      return super.disposeWeights();
    }
  }
  InputGradientBatchNormalization.className = 'BatchNormalization';
  return InputGradientBatchNormalization;
}

/*
 * A linear Dense layer on [n, in] has dy/dx = dy . kernel^T. TF.js's own gradient also computes the
 * kernel's and bias's gradients (one fused function), and multiplies by the transposed kernel with
 * transposeB, which WASM runs 4x slower than a product with the transpose stored once.
 */
function inputGradientDense(Dense) {
  class InputGradientDense extends Dense {
    call(inputs, kwargs) {
      const input = single(inputs);
      const linear = this.activation == null || this.activation.getClassName() === 'linear';
      if (!linear || input.rank !== 2) return super.call(inputs, kwargs);
      if (!this.kernelTransposed) this.kernelTransposed = tf.keep(this.kernel.read().transpose()); // [units, in]
      return withInputGradient(
        input,
        (x) => super.call(x, kwargs),
        (dy) => dy.matMul(this.kernelTransposed),
      );
    }

    disposeWeights() {
      if (this.kernelTransposed) this.kernelTransposed.dispose();
      this.kernelTransposed = null;
      return super.disposeWeights();
    }
  }
  InputGradientDense.className = 'Dense';
  return InputGradientDense;
}

/*
 * A Conv2D with an odd kernel, stride 1 and 'same' padding (LAPGAN's levels) has, before its
 * activation, dy/dx = dy convolved with the adjoint kernel (turned 180 degrees, in and out channels
 * swapped), 'same' padding again. TF.js runs a Conv2D with a bias as one fused kernel whose gradient
 * also computes the kernel's, with Conv2DBackpropFilter, which the WASM backend does not have: without
 * this class, finding a digit in LAPGAN fails there. Linear and tanh activations (LAPGAN's) are covered.
 */
function inputGradientConv2D(Conv2D) {
  const DERIVATIVES = {
    linear: (dy) => dy,
    tanh: (dy, y) => dy.mul(tf.scalar(1).sub(y.square())), // tanh' = 1 - tanh^2, from the output
  };
  class InputGradientConv2D extends Conv2D {
    call(inputs, kwargs) {
      const input = single(inputs);
      const activation = this.activation == null ? 'linear' : this.activation.getClassName();
      const ones = (values) => values.every((value) => value === 1);
      const applies =
        this.rank === 2 &&
        this.kernelSize.every((size) => size % 2 === 1) &&
        ones(this.strides) &&
        ones(this.dilationRate) &&
        this.padding === 'same' &&
        this.dataFormat === 'channelsLast' &&
        activation in DERIVATIVES;
      if (!applies) return super.call(inputs, kwargs);
      if (!this.adjointKernel) {
        this.adjointKernel = tf.tidy(() => tf.keep(tf.reverse(this.kernel.read(), [0, 1]).transpose([0, 1, 3, 2])));
      }
      const forward = (x) => super.call(x, kwargs);
      return tf.customGrad((x, save) => {
        const y = forward(x);
        save([y]);
        return {
          value: y,
          gradFunc: (dy, [output]) => tf.conv2d(DERIVATIVES[activation](dy, output), this.adjointKernel, 1, 'same'),
        };
      })(input);
    }

    disposeWeights() {
      if (this.adjointKernel) this.adjointKernel.dispose();
      this.adjointKernel = null;
      return super.disposeWeights();
    }
  }
  InputGradientConv2D.className = 'Conv2D';
  return InputGradientConv2D;
}
