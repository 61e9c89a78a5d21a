/**
 * `appMulDepthwiseConv2d(args)`: quant-core's `quantDepthwiseConv2d` whose products go through an
 * approximate multiplier (`multiplier`, `table`, `appMulPath` as for `appMulDense`). Returns a
 * plain `LowbitQuantDepthwiseConv2D`.
 *
 * ```ts
 * const dw = appMulDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, inputQuantizer: act, kernelQuantizer: wgt,
 *   multiplier: 'drum4_a8u_w8s' });
 * ```
 */
import {
  quantDepthwiseConv2d,
  type LowbitQuantDepthwiseConv2D,
  type QuantDepthwiseConv2DArgs,
} from '@lowbit/quant-core';
import { withAppMulArithmetic, type AppMulLayerArgs } from './appmul-layer-args.js';

export type AppMulDepthwiseConv2DArgs = QuantDepthwiseConv2DArgs & AppMulLayerArgs;

/** A `quantDepthwiseConv2d` layer multiplying through an AppMul. */
export function appMulDepthwiseConv2d(args: AppMulDepthwiseConv2DArgs): LowbitQuantDepthwiseConv2D {
  return quantDepthwiseConv2d(withAppMulArithmetic(args, 'appMulDepthwiseConv2d'));
}
