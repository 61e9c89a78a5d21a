/**
 * The shorthand `logDense` / `logConv2d` add to the arguments of `quantDense` / `quantConv2d`:
 *
 * - `weightBits`: a signed LogQuant kernel quantizer (quant-core's `LowbitLogQuantizer`);
 * - `inputBits`: a LogQuant input quantizer, unsigned (inputs after ReLU) unless `inputSigned`;
 *   `linearInput: true` uses the paper's LinearQuant baseline (`LowbitLinearFsrQuantizer`);
 * - `base` (2 or 'sqrt2') of both log quantizers, and `weightFsr` / `inputFsr`: the full-scale
 *   exponent, an integer or 'auto' (default: calibrated as round(log2 max|x|) on every tensor).
 *
 * The shorthand becomes ordinary quantizer parts (what `getConfig` saves); it cannot be combined
 * with an explicit `kernelQuantizer` / `inputQuantizer`. The names of the previous release
 * (`activationBits`, `activationFsr`, `activationSigned`, `linearActivations`,
 * `inferenceArithmetic`) are rejected with the new name; only the loader of old models
 * (`legacy.ts`) converts them.
 *
 * ```ts
 * logDense({ units: 10, weightBits: 4, inputBits: 3, inputFsr: 2, arithmetic: 'shift' });
 * ```
 */
import { checkBoolean, checkOneOf, getQuantizer, LowbitConfigError, type Quantizer } from '@lowbit/quant-core';

export interface LogLayerArgs {
  /** Log-quantize the kernel (signed LogQuant) with this many bits. */
  weightBits?: number;
  /** Quantize the input with this many bits (LogQuant, or LinearQuant with `linearInput`). */
  inputBits?: number;
  /** Base of the log quantizers: 2 (default) or 'sqrt2'. */
  base?: 2 | 'sqrt2';
  /** Full-scale exponent of the kernel: an integer, or 'auto' (default). */
  weightFsr?: number | 'auto';
  /** Full-scale exponent of the input: an integer, or 'auto' (default). */
  inputFsr?: number | 'auto';
  /** Signed input codes (default false: inputs after ReLU). */
  inputSigned?: boolean;
  /** Quantize the input with the paper's LinearQuant baseline instead of LogQuant. */
  linearInput?: boolean;
}

export const LOG_LAYER_ARG_KEYS = [
  'weightBits',
  'inputBits',
  'base',
  'weightFsr',
  'inputFsr',
  'inputSigned',
  'linearInput',
] as const;

/** Names of the previous release and what replaced them. */
export const RENAMED_LOG_ARGS: Readonly<Record<string, string>> = {
  activationBits: 'inputBits',
  activationFsr: 'inputFsr',
  activationSigned: 'inputSigned',
  linearActivations: 'linearInput',
  inferenceArithmetic: "arithmetic ('exact' or 'shift')",
};

interface QuantizerSlots {
  kernelQuantizer?: unknown;
  inputQuantizer?: unknown;
}

/** The arguments with the shorthand turned into `kernelQuantizer` / `inputQuantizer` parts. */
export function withLogQuantizers<T extends object>(args: T & LogLayerArgs): T {
  if (args === null || typeof args !== 'object')
    throw new LowbitConfigError('args', args, 'expected an object of layer arguments');
  for (const [old, now] of Object.entries(RENAMED_LOG_ARGS)) {
    if (old in args) throw new LowbitConfigError(old, (args as Record<string, unknown>)[old], `renamed: use ${now}`);
  }
  const rest = { ...args } as Record<string, unknown> & QuantizerSlots;
  for (const key of LOG_LAYER_ARG_KEYS) delete rest[key];
  const base = checkOneOf('base', args.base ?? 2, [2, 'sqrt2'] as const);
  const linear = checkBoolean('linearInput', args.linearInput ?? false);
  const inputSigned = checkBoolean('inputSigned', args.inputSigned ?? false);
  if (args.weightBits !== undefined) {
    if (rest.kernelQuantizer != null)
      throw new LowbitConfigError('weightBits', args.weightBits, 'give either weightBits or kernelQuantizer, not both');
    rest.kernelQuantizer = logQuantizer({ bits: args.weightBits, base, signed: true, fsr: args.weightFsr ?? 'auto' });
  } else if (args.weightFsr !== undefined) {
    throw new LowbitConfigError('weightFsr', args.weightFsr, 'weightFsr needs weightBits');
  }
  if (args.inputBits !== undefined) {
    if (rest.inputQuantizer != null)
      throw new LowbitConfigError('inputBits', args.inputBits, 'give either inputBits or inputQuantizer, not both');
    const fsr = args.inputFsr ?? 'auto';
    rest.inputQuantizer = linear
      ? getQuantizer({ className: 'LowbitLinearFsrQuantizer', config: { bits: args.inputBits, fsr } }, 'inputQuantizer')
      : logQuantizer({ bits: args.inputBits, base, signed: inputSigned, fsr });
  } else {
    for (const key of ['inputFsr', 'linearInput', 'inputSigned'] as const) {
      if (args[key] !== undefined) throw new LowbitConfigError(key, args[key], 'needs inputBits');
    }
  }
  return rest as T;
}

function logQuantizer(config: {
  bits: number;
  base: 2 | 'sqrt2';
  signed: boolean;
  fsr: number | 'auto';
}): Quantizer | null {
  return getQuantizer({ className: 'LowbitLogQuantizer', config }, 'logQuantizer');
}
