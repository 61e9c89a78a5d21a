/**
 * The log-domain arguments `logDense` / `logConv2d` add to those of `quantDense` / `quantConv2d`.
 *
 * - `inferenceArithmetic`: `'float'` (default) runs the fake-quantized product with tfjs's float
 *   kernels; `'shift'` makes inference (`predict`, `apply` without training) export integer codes
 *   and run the bit-shift kernels (`shiftMatMul` / `shiftConv2d`). Training always uses the
 *   fake-quantized float path (the shift kernels have no gradient; the STE needs float shadows).
 */
import { checkOneOf } from '@lowbit/quant-core';

export type InferenceArithmetic = 'float' | 'shift';

export interface LogLayerArgs {
  inferenceArithmetic?: InferenceArithmetic;
}

export const LOG_LAYER_ARG_KEYS = ['inferenceArithmetic'] as const;

/** Splits the log-layer arguments from the rest (which go to the quantized base layer). */
export function splitLogLayerArgs<T extends object>(args: T & LogLayerArgs): { log: Required<LogLayerArgs>; rest: T } {
  if (args === null || typeof args !== 'object') return { log: { inferenceArithmetic: 'float' }, rest: args };
  const rest = { ...args } as Record<string, unknown>;
  for (const key of LOG_LAYER_ARG_KEYS) delete rest[key];
  const inferenceArithmetic = checkOneOf('inferenceArithmetic', args.inferenceArithmetic ?? 'float', ['float', 'shift'] as const);
  return { log: { inferenceArithmetic }, rest: rest as T };
}
