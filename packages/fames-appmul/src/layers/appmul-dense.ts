/**
 * `appMulDense(args)`: quant-core's `quantDense` whose products go through an approximate
 * multiplier: every `quantDense` argument (tfjs Dense's, `kernelQuantizer`, `inputQuantizer`,
 * `outputQuantizer`) plus `multiplier` (an AppMul or its name; null or absent: exact products),
 * `table` and `appMulPath`. Returns a plain `LowbitQuantDense` whose `arithmetic` is a
 * `LowbitAppMulArithmetic`; `setMultiplier(layer, m)` swaps the multiplier later.
 *
 * ```ts
 * const fc = appMulDense({ units: 10, multiplier: 'trunc3_a4u_w4s',
 *   inputQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } },
 *   kernelQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4 } } });
 * ```
 */
import { quantDense, type LowbitQuantDense, type QuantDenseArgs } from '@lowbit/quant-core';
import { withAppMulArithmetic, type AppMulLayerArgs } from './appmul-layer-args.js';

export type AppMulDenseArgs = QuantDenseArgs & AppMulLayerArgs;

/** A `quantDense` layer multiplying through an AppMul (see the module doc). */
export function appMulDense(args: AppMulDenseArgs): LowbitQuantDense {
  return quantDense(withAppMulArithmetic(args, 'appMulDense'));
}
