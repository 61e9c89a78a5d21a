/**
 * Models saved by the release before the generic layers stored `LowbitLogDense` and
 * `LowbitLogConv2D` layers. Both names stay loadable: they are registered as layer aliases whose
 * configs are converted here and built with `logDense` / `logConv2d` (a `LowbitQuantDense` /
 * `LowbitQuantConv2D` with the same quantizers; re-saved, the model uses the new class names).
 *
 * The conversion: `inferenceArithmetic: 'float'` becomes `arithmetic: 'exact'` and `'shift'`
 * becomes `'shift'`; the old shorthand names (`activationBits`, `activationFsr`,
 * `activationSigned`, `linearActivations`) become `inputBits`, `inputFsr`, `inputSigned`,
 * `linearInput`. The old 'shift' also ran fixed-point kernels with log inputs; the shift
 * arithmetic takes log kernels only, so such a layer loads with `'exact'`, which computes the
 * same products (the old shift path reproduced them).
 *
 * ```ts
 * const model = await loadModel('tools/fixtures/v0/LowbitLogDense'); // a LowbitQuantDense inside
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOneOf, getQuantizer, registerLayerAlias, type QuantizerIdentifier } from '@lowbit/quant-core';
import { logConv2d, type LogConv2DArgs } from './log-conv2d.js';
import { logDense, type LogDenseArgs } from './log-dense.js';

const OLD_NAMES: Readonly<Record<string, string>> = {
  activationBits: 'inputBits',
  activationFsr: 'inputFsr',
  activationSigned: 'inputSigned',
  linearActivations: 'linearInput',
};

/** True when the shift arithmetic accepts the quantizers the old config gives (explicit or shorthand). */
function shiftAccepts(config: Record<string, unknown>): boolean {
  const kind = (slot: 'kernelQuantizer' | 'inputQuantizer', bits: string, linear?: string): string | null => {
    if (config[bits] !== undefined) return linear && config[linear] === true ? 'int' : 'pow2';
    return getQuantizer(config[slot] as QuantizerIdentifier | null | undefined, slot)?.precision().kind ?? null;
  };
  const kernel = kind('kernelQuantizer', 'weightBits');
  const input = kind('inputQuantizer', 'inputBits', 'linearInput');
  return kernel === 'pow2' && (input === 'pow2' || input === 'int');
}

/** The arguments of `logDense` / `logConv2d` for a config saved by the previous release. */
export function fromLegacyLogConfig(config: tf.serialization.ConfigDict): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const [old, now] of Object.entries(OLD_NAMES)) {
    if (old in out) {
      if (out[now] === undefined) out[now] = out[old];
      delete out[old];
    }
  }
  const inference = checkOneOf('inferenceArithmetic', out.inferenceArithmetic ?? 'float', ['float', 'shift'] as const);
  delete out.inferenceArithmetic;
  if (out.arithmetic == null) out.arithmetic = inference === 'shift' && shiftAccepts(out) ? 'shift' : 'exact';
  return out;
}

registerLayerAlias('LowbitLogDense', (config) => logDense(fromLegacyLogConfig(config) as unknown as LogDenseArgs));
registerLayerAlias('LowbitLogConv2D', (config) => logConv2d(fromLegacyLogConfig(config) as unknown as LogConv2DArgs));
