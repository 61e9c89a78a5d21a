/**
 * @lowbit/log-domain: logarithmic (power-of-two) quantization for TensorFlow.js (Miyashita, Lee,
 * Murmann 2016): bit-shift matmul/conv kernels on integer codes, log-domain accumulation, and
 * log-quantized Dense / Conv2D layers.
 */
import '@lowbit/quant-core';
import { registerLogDomainKernels } from './kernels/register.js';

export * from './shift-operand.js';
export * from './kernels/shift-matmul-kernel.js';
export * from './kernels/shift-conv2d-kernel.js';
export { registerLogDomainKernels } from './kernels/register.js';
export * from './ops/decode-units.js';
export { shiftMatMul, type ShiftMatMulOptions } from './ops/shift-matmul.js';
export { shiftConv2d, type ShiftConv2DOptions } from './ops/shift-conv2d.js';
export type { ShiftProductOptions } from './ops/shift-options.js';

registerLogDomainKernels();
export * from './log-accumulate.js';
export * from './layers/log-layer-args.js';
export * from './layers/shift-inference.js';
export * from './layers/log-dense.js';
export * from './layers/log-conv2d.js';
