/**
 * `logConv2d(args)`: quant-core's `quantConv2d` with log-quantized (power-of-two) parts: every
 * argument of `quantConv2d` plus the shorthand of `log-layer-args.ts` (`weightBits`, `inputBits`,
 * `base`, `weightFsr`, `inputFsr`, `inputSigned`, `linearInput`); returns a plain
 * `LowbitQuantConv2D`. `arithmetic: 'shift'` runs `shiftConv2d` on the integer codes in
 * inference (any strides, padding, dilation and data format).
 *
 * ```ts
 * const conv = logConv2d({ filters: 8, kernelSize: 3, padding: 'same', weightBits: 4, inputBits: 4,
 *   arithmetic: 'shift' });
 * ```
 */
import { quantConv2d, type LowbitQuantConv2D, type QuantConv2DArgs } from '@lowbit/quant-core';
import { withLogQuantizers, type LogLayerArgs } from './log-layer-args.js';

export type LogConv2DArgs = QuantConv2DArgs & LogLayerArgs;

/** A `quantConv2d` layer with log-quantized parts (see the module doc). */
export function logConv2d(args: LogConv2DArgs): LowbitQuantConv2D {
  return quantConv2d(withLogQuantizers(args));
}
