/**
 * @lowbit/wage-train: WAGE (Wu, Li, Chen, Shi, ICLR 2018) for TensorFlow.js: weights,
 * activations, gradients and errors as low-bit integers; layers, the error quantizer, the
 * integer update rule as a tfjs optimizer, the training loop and integer-only inference.
 */
import '@lowbit/quant-core';
export * from './bits.js';
export * from './wage-init.js';
export * from './error-quantizer.js';
export * from './activation.js';
export * from './wage-layer-args.js';
export * from './wage-dense.js';
export * from './wage-conv2d.js';
export * from './optimizer.js';
export * from './train.js';
export * from './integer-inference.js';
