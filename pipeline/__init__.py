"""Train a Keras GAN on MNIST and ship its generator to the browser as a TF.js model."""
