/**
 * The WAGE activation blocks, as quant-core's generic `quantActivation` with WAGE's
 * `LowbitWageActivationQuantizer` as output part:
 *
 * - `wageActivation({ outputBits, errorBits, relu })`: the authors' order `ReLU -> Q_E -> Q_A`.
 *   Forward `a = relu(x)` (when `relu`, default true), then `Q_A(a) = Q(C(a, k_A), k_A)`, a k_A-bit
 *   integer times `sigma(k_A)` (after a ReLU the codes are 0..2^(k_A-1)-1, reported unsigned).
 *   Backward: straight through the rounding, zero outside the clip range; then the error is
 *   quantized by Q_E (`errorBits`, default 8; `null` skips it) before the ReLU's mask.
 *   With `relu: false, errorBits: null` it is the input quantizer of the network
 *   (`x / 127.5 - 1`, then Q_A).
 * - `wageErrorQuantizer({ errorBits })`: Q_E alone (identity forward, k_E-bit errors backward),
 *   placed on the network output.
 *
 * ```ts
 * const model = tf.sequential({ layers: [
 *   wageActivation({ inputShape: [28, 28, 1], relu: false, errorBits: null }), // input Q_A
 *   wageConv2d({ filters: 32, kernelSize: 5 }),
 *   wageActivation({}),                                                        // ReLU, Q_E, Q_A (8 bits)
 *   ...
 *   wageErrorQuantizer({}),                                                    // Q_E on the output
 * ]});
 * ```
 */
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { checkBoolean, LowbitConfigError, LowbitQuantActivation, quantActivation } from '@lowbit/quant-core';
import { checkWageBits, rejectRenamed } from './bits.js';
import { LowbitWageActivationQuantizer } from './wage-quantizers.js';

export interface WageActivationArgs extends LayerArgs {
  /** Activation bit width k_A, 2..16 (default 8). */
  outputBits?: number;
  /** Error bit width k_E, 2..16, or null for no error quantizer (default 8). */
  errorBits?: number | null;
  /** Apply a ReLU first (default true). */
  relu?: boolean;
}

export interface WageErrorQuantizerArgs extends LayerArgs {
  /** Error bit width k_E, 2..16 (default 8). */
  errorBits?: number;
}

function checkArgs(factory: string, args: unknown): Record<string, unknown> {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new LowbitConfigError(factory, args, 'expected an object of layer arguments');
  }
  rejectRenamed(factory, args);
  for (const key of ['activation', 'inputQuantizer', 'outputQuantizer']) {
    if (key in args) {
      const hint = key === 'activation' ? 'use relu: true or false' : `${factory} sets its own quantizers`;
      throw new LowbitConfigError(`${factory}.${key}`, (args as Record<string, unknown>)[key], hint);
    }
  }
  return { ...(args as Record<string, unknown>) };
}

/** A `quantActivation`: ReLU (or linear), then WAGE's Q_E (backward) and Q_A. */
export function wageActivation(args: WageActivationArgs = {}): LowbitQuantActivation {
  const rest = checkArgs('wageActivation', args);
  const { outputBits, errorBits, relu } = rest as WageActivationArgs;
  for (const key of ['outputBits', 'errorBits', 'relu']) delete rest[key];
  const useRelu = checkBoolean('relu', relu ?? true);
  const outputQuantizer = new LowbitWageActivationQuantizer({
    bits: checkWageBits('outputBits', outputBits ?? 8),
    errorBits: errorBits === null ? null : checkWageBits('errorBits', errorBits ?? 8),
    signed: !useRelu,
  });
  return quantActivation({ ...rest, activation: useRelu ? 'relu' : 'linear', outputQuantizer });
}

/** A `quantActivation` that quantizes only the error (Q_E): identity forward. Goes on the network output. */
export function wageErrorQuantizer(args: WageErrorQuantizerArgs = {}): LowbitQuantActivation {
  const rest = checkArgs('wageErrorQuantizer', args);
  const { errorBits } = rest as WageErrorQuantizerArgs;
  delete rest.errorBits;
  if (errorBits === null)
    throw new LowbitConfigError('errorBits', null, 'expected a bit width 2..16 (this layer is Q_E)');
  const outputQuantizer = new LowbitWageActivationQuantizer({
    bits: null,
    errorBits: checkWageBits('errorBits', errorBits ?? 8),
  });
  return quantActivation({ ...rest, activation: 'linear', outputQuantizer });
}

/** The WAGE part of a layer made by {@link wageActivation} or {@link wageErrorQuantizer}, else null. */
export function wageActivationPart(layer: unknown): LowbitWageActivationQuantizer | null {
  if (!(layer instanceof LowbitQuantActivation) || layer.inputQuantizer !== null) return null;
  const q = layer.outputQuantizer;
  return q instanceof LowbitWageActivationQuantizer ? q : null;
}

/** True for a `wageActivation` layer (a quantActivation with Q_A as output part, ReLU or linear). */
export function isWageActivation(
  layer: unknown,
): layer is LowbitQuantActivation & { outputQuantizer: LowbitWageActivationQuantizer } {
  const q = wageActivationPart(layer);
  return q !== null && q.bits !== null && ['relu', 'linear'].includes((layer as LowbitQuantActivation).activation);
}

/** True for a `wageErrorQuantizer` layer (Q_E only, identity forward). */
export function isWageErrorQuantizer(
  layer: unknown,
): layer is LowbitQuantActivation & { outputQuantizer: LowbitWageActivationQuantizer } {
  const q = wageActivationPart(layer);
  return q !== null && q.bits === null && (layer as LowbitQuantActivation).activation === 'linear';
}
