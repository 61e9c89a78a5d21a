/**
 * `wrpnActivation({ outputBits })`: the WRPN activation function, which replaces the ReLU:
 * `a_q = round((2^k - 1) * clip(a, 0, 1)) / (2^k - 1)`. Backward: straight through inside [0, 1],
 * zero outside. It is quant-core's generic `quantActivation` with quant-core's WRPN quantizer in
 * activation mode (`LowbitWrpnQuantizer`, `{ bits, mode: 'activation' }`) as its output
 * quantizer, so it reports its output precision to `@lowbit/hw-model` and saves / loads with no
 * custom objects.
 *
 * ```ts
 * model.add(wrpnConv2d({ filters: 32, kernelSize: 5, weightBits: 4 }));
 * model.add(wrpnActivation({ outputBits: 4 }));   // instead of activation: 'relu'
 * ```
 *
 * Models saved by the release before the generic layers hold `LowbitWrpnActivation` layers; that
 * class name stays loadable (an alias) and becomes this layer.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  checkInteger,
  checkObject,
  checkOneOf,
  checkRenamedOptions,
  LowbitQuantActivation,
  LowbitWrpnQuantizer,
  quantActivation,
  registerLayerAlias,
  type QuantActivationArgs,
} from '@lowbit/quant-core';

/** Largest activation bit width accepted (wider is float in practice: use a ReLU). */
export const MAX_WRPN_BITS = 16;

export interface WrpnActivationArgs extends Omit<QuantActivationArgs, 'outputQuantizer'> {
  /** Bits of the quantized activation, 1 to 16. */
  outputBits: number;
}

/** The quant-core quantizer WRPN uses, as `{ className, config }`. */
export function wrpnQuantizerConfig(bits: number, mode: 'weight' | 'activation') {
  checkOneOf('mode', mode, ['weight', 'activation'] as const);
  checkInteger('bits', bits, 1, MAX_WRPN_BITS);
  return { className: 'LowbitWrpnQuantizer', config: { bits, mode } };
}

/** A `quantActivation` layer whose output quantizer is WRPN's activation quantizer. */
export function wrpnActivation(args: WrpnActivationArgs): LowbitQuantActivation {
  checkObject('wrpnActivation', args, '{ outputBits }');
  checkRenamedOptions('wrpnActivation', args, { bits: 'outputBits' });
  const { outputBits, ...layerArgs } = args;
  const bits = checkInteger('wrpnActivation.outputBits', outputBits, 1, MAX_WRPN_BITS);
  return quantActivation({ ...layerArgs, outputQuantizer: wrpnQuantizerConfig(bits, 'activation') });
}

/** True when `layer` is a WRPN activation (a `quantActivation` with WRPN's activation quantizer). */
export function isWrpnActivation(
  layer: unknown,
): layer is LowbitQuantActivation & { outputQuantizer: LowbitWrpnQuantizer } {
  if (!(layer instanceof LowbitQuantActivation)) return false;
  const q = layer.outputQuantizer;
  return q instanceof LowbitWrpnQuantizer && q.mode === 'activation';
}

registerLayerAlias('LowbitWrpnActivation', (config: tf.serialization.ConfigDict) => {
  const { bits, ...rest } = config as Record<string, unknown>;
  return wrpnActivation({ ...rest, outputBits: bits } as unknown as WrpnActivationArgs);
});
