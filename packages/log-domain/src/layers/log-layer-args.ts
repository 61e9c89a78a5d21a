/**
 * The log-domain arguments `logDense` / `logConv2d` add to those of `quantDense` / `quantConv2d`.
 *
 * - `weightBits`, `activationBits`: shorthand for a LogQuant kernel quantizer (signed) and input
 *   quantizer (unsigned unless `activationSigned`), quant-core's `LowbitLogQuantizer`, with
 *   `base` (2 or 'sqrt2') and `weightFsr` / `activationFsr` (an integer full-scale exponent, or
 *   'auto': calibrated as round(log2 max|x|) on every tensor; default 'auto').
 *   `linearActivations: true` uses the paper's LinearQuant baseline (`LowbitLinearFsrQuantizer`)
 *   for the input instead. The shorthand becomes ordinary quantizers, which is what `getConfig`
 *   saves; it cannot be combined with an explicit `kernelQuantizer` / `inputQuantizer`.
 * - `inferenceArithmetic`: `'float'` (default) runs the fake-quantized product with tfjs's float
 *   kernels; `'shift'` makes inference (`predict`, `apply` without training) export integer codes
 *   and run the bit-shift kernels (`shiftMatMul` / `shiftConv2d`). Training always uses the
 *   fake-quantized float path (the shift kernels have no gradient; the STE needs float shadows).
 *
 * ```ts
 * logDense({ units: 10, weightBits: 4, activationBits: 3, activationFsr: 2, inferenceArithmetic: 'shift' });
 * ```
 */
import { checkBoolean, checkOneOf, getQuantizer, LowbitConfigError, type Quantizer } from '@lowbit/quant-core';

export type InferenceArithmetic = 'float' | 'shift';

export interface LogLayerArgs {
  inferenceArithmetic?: InferenceArithmetic;
  /** Log-quantize the kernel (signed LogQuant) with this many bits. */
  weightBits?: number;
  /** Quantize the input with this many bits (LogQuant, or LinearQuant with `linearActivations`). */
  activationBits?: number;
  /** Base of the log quantizers: 2 (default) or 'sqrt2'. */
  base?: 2 | 'sqrt2';
  /** Full-scale exponent of the kernel: an integer, or 'auto' (default). */
  weightFsr?: number | 'auto';
  /** Full-scale exponent of the input: an integer, or 'auto' (default). */
  activationFsr?: number | 'auto';
  /** Signed input codes (default false: inputs after ReLU). */
  activationSigned?: boolean;
  /** Quantize the input with the paper's LinearQuant baseline instead of LogQuant. */
  linearActivations?: boolean;
}

export const LOG_LAYER_ARG_KEYS = [
  'inferenceArithmetic',
  'weightBits',
  'activationBits',
  'base',
  'weightFsr',
  'activationFsr',
  'activationSigned',
  'linearActivations',
] as const;

interface QuantizerSlots {
  kernelQuantizer?: unknown;
  inputQuantizer?: unknown;
}

/**
 * Splits the log-layer arguments from the rest (which go to the quantized base layer), turning
 * the shorthand into `kernelQuantizer` / `inputQuantizer`.
 */
export function splitLogLayerArgs<T extends object>(args: T & LogLayerArgs): { log: { inferenceArithmetic: InferenceArithmetic }; rest: T } {
  if (args === null || typeof args !== 'object') return { log: { inferenceArithmetic: 'float' }, rest: args };
  const rest = { ...args } as Record<string, unknown> & QuantizerSlots;
  for (const key of LOG_LAYER_ARG_KEYS) delete rest[key];
  const inferenceArithmetic = checkOneOf('inferenceArithmetic', args.inferenceArithmetic ?? 'float', ['float', 'shift'] as const);
  const base = checkOneOf('base', args.base ?? 2, [2, 'sqrt2'] as const);
  const linear = checkBoolean('linearActivations', args.linearActivations ?? false);
  const activationSigned = checkBoolean('activationSigned', args.activationSigned ?? false);
  if (args.weightBits !== undefined) {
    if (rest.kernelQuantizer != null) throw new LowbitConfigError('weightBits', args.weightBits, 'give either weightBits or kernelQuantizer, not both');
    rest.kernelQuantizer = logQuantizer({ bits: args.weightBits, base, signed: true, fsr: args.weightFsr ?? 'auto' });
  } else if (args.weightFsr !== undefined) {
    throw new LowbitConfigError('weightFsr', args.weightFsr, 'weightFsr needs weightBits');
  }
  if (args.activationBits !== undefined) {
    if (rest.inputQuantizer != null) throw new LowbitConfigError('activationBits', args.activationBits, 'give either activationBits or inputQuantizer, not both');
    const fsr = args.activationFsr ?? 'auto';
    rest.inputQuantizer = linear
      ? getQuantizer({ className: 'LowbitLinearFsrQuantizer', config: { bits: args.activationBits, fsr } }, 'inputQuantizer')
      : logQuantizer({ bits: args.activationBits, base, signed: activationSigned, fsr });
  } else if (args.activationFsr !== undefined || args.linearActivations !== undefined) {
    throw new LowbitConfigError(args.activationFsr !== undefined ? 'activationFsr' : 'linearActivations', args.activationFsr ?? args.linearActivations, 'needs activationBits');
  }
  return { log: { inferenceArithmetic }, rest: rest as T };
}

function logQuantizer(config: { bits: number; base: 2 | 'sqrt2'; signed: boolean; fsr: number | 'auto' }): Quantizer | null {
  return getQuantizer({ className: 'LowbitLogQuantizer', config }, 'logQuantizer');
}
