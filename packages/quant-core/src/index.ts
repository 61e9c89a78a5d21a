/**
 * @lowbit/quant-core: the shared base of every lowbit package.
 */
export * from './errors.js';
export * from './validate.js';
export * from './precision.js';
export * from './quantized-tensor.js';
export * from './quantizer.js';
export * from './registry.js';
