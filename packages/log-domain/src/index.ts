/**
 * @lowbit/log-domain: logarithmic (power-of-two) quantization for TensorFlow.js (Miyashita, Lee,
 * Murmann 2016), as parts of quant-core's generic layers:
 *
 * - arithmetics `'shift'` (`LowbitShiftArithmetic`: bit-shift products of log codes, exact
 *   accumulation) and `'log-accumulate'` (`LowbitLogAccumulateArithmetic`: sums kept in the log
 *   domain), registered at import;
 * - factories `logDense` / `logConv2d`: `quantDense` / `quantConv2d` with log quantizers from a
 *   shorthand (`weightBits`, `inputBits`, ...); the old layer names `LowbitLogDense` /
 *   `LowbitLogConv2D` load as aliases;
 * - the ops `shiftMatMul`, `shiftConv2d`, `shiftDepthwiseConv2d` on int32 codes (registered cpu
 *   kernels, composed fallback elsewhere) and `logDomainMatMul`.
 */
import '@lowbit/quant-core';
import './kernels/register.js';

export * from './shift-operand.js';
export { LowbitShiftMatMul, type ShiftMatMulAttrs } from './kernels/shift-matmul.js';
export { LowbitShiftConv2D, type ShiftConv2DAttrs } from './kernels/shift-conv2d.js';
export { decodeUnits, type DecodedUnits } from './ops/decode-units.js';
export { shiftMatMul, type ShiftMatMulOptions } from './ops/shift-matmul.js';
export { shiftConv2d, type ShiftConv2DOptions } from './ops/shift-conv2d.js';
export { shiftDepthwiseConv2d, type ShiftDepthwiseConv2DOptions } from './ops/shift-depthwise-conv2d.js';
export type { ShiftProductOptions } from './ops/shift-options.js';
export * from './log-accumulate.js';
export { LowbitShiftArithmetic } from './arithmetic/shift-arithmetic.js';
export {
  DEFAULT_LOG_ACCUMULATE_FRAC_BITS,
  LowbitLogAccumulateArithmetic,
  type LogAccumulateConfig,
} from './arithmetic/log-accumulate-arithmetic.js';
export { type LogLayerArgs } from './layers/log-layer-args.js';
export { logDense, type LogDenseArgs } from './layers/log-dense.js';
export { logConv2d, type LogConv2DArgs } from './layers/log-conv2d.js';
import './layers/legacy.js';
