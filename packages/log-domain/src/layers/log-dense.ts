/**
 * `logDense(args)`: quant-core's `quantDense` with log-quantized (power-of-two) parts. It takes
 * every argument of `quantDense` (tfjs's dense arguments, `kernelQuantizer`, `inputQuantizer`,
 * `outputQuantizer`, `arithmetic`) plus the shorthand of `log-layer-args.ts` (`weightBits`,
 * `inputBits`, `base`, `weightFsr`, `inputFsr`, `inputSigned`, `linearInput`), and returns a
 * plain `LowbitQuantDense`. Trained with `model.fit` (STE to float shadow weights).
 *
 * `arithmetic: 'shift'` (`LowbitShiftArithmetic`) makes inference run the bit-shift kernel on the
 * integer codes; `'log-accumulate'` also keeps the sums in the log domain; the default `'exact'`
 * is tfjs's product of the fake-quantized values.
 *
 * ```ts
 * const fc = logDense({ units: 10, weightBits: 4, inputBits: 4, arithmetic: 'shift' });
 * fc.lowbitPrecision();
 * // { weight: { kind: 'pow2', bits: 4, ... }, input: { kind: 'pow2', ... }, arithmetic: { multiply: 'shift', ... } }
 * ```
 */
import { quantDense, type LowbitQuantDense, type QuantDenseArgs } from '@lowbit/quant-core';
import { withLogQuantizers, type LogLayerArgs } from './log-layer-args.js';

export type LogDenseArgs = QuantDenseArgs & LogLayerArgs;

/** A `quantDense` layer with log-quantized parts (see the module doc). */
export function logDense(args: LogDenseArgs): LowbitQuantDense {
  return quantDense(withLogQuantizers(args));
}
