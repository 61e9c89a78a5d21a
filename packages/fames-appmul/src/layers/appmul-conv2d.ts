/**
 * `appMulConv2d(args)`: quant-core's `quantConv2d` whose products go through an approximate
 * multiplier (`multiplier`, `table`, `appMulPath` as for `appMulDense`). Any strides, padding,
 * dilation and data format. Returns a plain `LowbitQuantConv2D`.
 *
 * ```ts
 * const conv = appMulConv2d({ filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: act, kernelQuantizer: wgt,
 *   multiplier: 'trunc6_a8u_w8s' });
 * ```
 */
import { quantConv2d, type LowbitQuantConv2D, type QuantConv2DArgs } from '@lowbit/quant-core';
import { withAppMulArithmetic, type AppMulLayerArgs } from './appmul-layer-args.js';

export type AppMulConv2DArgs = QuantConv2DArgs & AppMulLayerArgs;

/** A `quantConv2d` layer multiplying through an AppMul. */
export function appMulConv2d(args: AppMulConv2DArgs): LowbitQuantConv2D {
  return quantConv2d(withAppMulArithmetic(args, 'appMulConv2d'));
}
