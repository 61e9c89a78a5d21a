/**
 * `LowbitWrpnActivation` (`wrpnActivation({ bits })`): the WRPN activation function, which
 * replaces the ReLU: `a_q = round((2^k - 1) * clip(a, 0, 1)) / (2^k - 1)`. Backward: straight
 * through inside [0, 1], zero outside. The math is quant-core's WRPN quantizer in activation
 * mode (`LowbitWrpnQuantizer`, `{ bits, mode: 'activation' }`); this layer puts it in a model
 * and reports its output precision to `@lowbit/hw-model`.
 *
 * ```ts
 * model.add(quantConv2d({ filters: 32, kernelSize: 5, kernelQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } } }));
 * model.add(wrpnActivation({ bits: 4 }));   // instead of activation: 'relu'
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { checkInteger, getQuantizer, LowbitConfigError, type LayerPrecision, type Quantizer } from '@lowbit/quant-core';

/** Largest activation bit width accepted (wider is float in practice: use a ReLU). */
export const MAX_WRPN_BITS = 16;

export interface WrpnActivationArgs extends LayerArgs {
  /** Bits of the quantized activation, 1 to 16. */
  bits: number;
}

/** The quant-core quantizer WRPN uses, as `{ className, config }`. */
export function wrpnQuantizerConfig(bits: number, mode: 'weight' | 'activation') {
  return { className: 'LowbitWrpnQuantizer', config: { bits, mode } };
}

export class LowbitWrpnActivation extends tfl.layers.Layer {
  static className = 'LowbitWrpnActivation';
  readonly bits: number;
  readonly quantizer: Quantizer;

  constructor(args: WrpnActivationArgs) {
    if (args === null || typeof args !== 'object') throw new LowbitConfigError('args', args, 'expected { bits }');
    const { bits, ...base } = args;
    super(base);
    this.bits = checkInteger('bits', bits, 1, MAX_WRPN_BITS);
    this.quantizer = getQuantizer(wrpnQuantizerConfig(this.bits, 'activation'), 'quantizer')!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return this.quantizer.call(x, { training: kwargs?.training === true });
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  /** The activation's stored precision: unsigned `bits`-bit integers. */
  lowbitPrecision(): LayerPrecision {
    return { output: this.quantizer.precision() };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, ...super.getConfig() };
  }
}
tf.serialization.registerClass(LowbitWrpnActivation);

/** Creates a {@link LowbitWrpnActivation}. */
export function wrpnActivation(args: WrpnActivationArgs): LowbitWrpnActivation {
  return new LowbitWrpnActivation(args);
}
