/**
 * @lowbit/quant-core: the shared base of every lowbit package.
 */
// Our ops define gradients on top of tfjs's own: make sure those are registered even when only
// tfjs-core is imported (tfjs-layers imports the same module).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
export * from './errors.js';
export * from './validate.js';
export * from './precision.js';
export * from './quantized-tensor.js';
export * from './quantizer.js';
export * from './registry.js';
export * from './ops/ste.js';
