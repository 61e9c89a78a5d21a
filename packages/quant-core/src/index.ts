/**
 * @lowbit/quant-core: the shared base of every lowbit package.
 */
// Our ops define gradients on top of tfjs's own, which tfjs-layers registers when imported (a
// deep import of tfjs-core's register_all_gradients does not resolve under plain Node ESM).
import '@tensorflow/tfjs-layers';
export * from './errors.js';
export * from './validate.js';
export * from './precision.js';
export * from './quantized-tensor.js';
export * from './quantizer.js';
export * from './registry.js';
export * from './ops/ste.js';
