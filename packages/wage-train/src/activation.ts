/**
 * `LowbitWageActivation` (`wageActivation`): the WAGE activation block, in the authors' order
 * `ReLU -> Q_E -> Q_A`.
 *
 * - forward: `a = relu(x)` (when `relu`), then `Q_A(a) = Q(C(a, k_A), k_A)`: a k_A-bit signed
 *   integer times `sigma(k_A)` (after a ReLU the codes are 0..2^(k_A-1)-1);
 * - backward: STE through the rounding, zero outside the clip range `[-1 + sigma, 1 - sigma]`;
 *   then the error is quantized by Q_E (`bitsE`, see {@link quantizeError}) before it goes
 *   through the ReLU to the layer below. `bitsE: null` skips Q_E.
 *
 * With `relu: false, bitsE: null` it is the input quantizer of the network (`x / 127.5 - 1`, then
 * Q_A).
 *
 * ```ts
 * const model = tf.sequential({ layers: [
 *   wageActivation({ inputShape: [28, 28, 1], relu: false, bitsE: null }), // input Q_A
 *   wageConv2d({ filters: 32, kernelSize: 5 }),
 *   wageActivation({}),                                                     // ReLU, Q_E, Q_A (8 bits)
 * ]});
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { checkBoolean, checkConfig, LowbitWageQuantizer, type LayerPrecision } from '@lowbit/quant-core';
import { checkWageBits } from './bits.js';
import { errorQuantizerOp, single } from './error-quantizer.js';

export interface WageActivationArgs {
  /** Activation bit width k_A, 2..16 (default 8). */
  bitsA?: number;
  /** Error bit width k_E, 2..16, or null for no error quantizer (default 8). */
  bitsE?: number | null;
  /** Apply a ReLU first (default true). */
  relu?: boolean;
  name?: string;
  inputShape?: tfl.Shape;
  batchInputShape?: tfl.Shape;
  batchSize?: number;
  trainable?: boolean;
  dtype?: 'float32';
}

// tfjs adds `customObjects` to a layer's config when it deserializes a model.
const LAYER_KEYS = ['name', 'inputShape', 'batchInputShape', 'batchSize', 'trainable', 'dtype', 'customObjects'];

export class LowbitWageActivation extends tfl.layers.Layer {
  static className = 'LowbitWageActivation';
  readonly bitsA: number;
  readonly bitsE: number | null;
  readonly relu: boolean;
  /** Q_A: quant-core's WAGE quantizer in activation mode. */
  readonly quantizer: LowbitWageQuantizer;

  constructor(args: WageActivationArgs = {}) {
    const c = checkConfig<WageActivationArgs>('wageActivation', args, ['bitsA', 'bitsE', 'relu', ...LAYER_KEYS]);
    const base: Record<string, unknown> = { ...c };
    for (const key of ['bitsA', 'bitsE', 'relu', 'customObjects']) delete base[key];
    super(base as LayerArgs);
    this.bitsA = checkWageBits('bitsA', c.bitsA ?? 8);
    this.bitsE = c.bitsE === null ? null : checkWageBits('bitsE', c.bitsE ?? 8);
    this.relu = checkBoolean('relu', c.relu ?? true);
    this.quantizer = new LowbitWageQuantizer({ bits: this.bitsA, mode: 'activation' });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let y = Array.isArray(inputs) ? single(inputs, this.name) : inputs;
      if (this.relu) y = tf.relu(y);
      if (this.bitsE !== null) y = errorQuantizerOp(y, this.bitsE);
      return this.quantizer.call(y);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  /** Output: k_A-bit integer codes (unsigned after a ReLU). */
  lowbitPrecision(): LayerPrecision {
    return { output: { kind: 'int', bits: this.bitsA, signed: !this.relu } };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { bitsA: this.bitsA, bitsE: this.bitsE, relu: this.relu, ...super.getConfig() };
  }
}
tf.serialization.registerClass(LowbitWageActivation);

/** Creates a {@link LowbitWageActivation}. */
export function wageActivation(args: WageActivationArgs = {}): LowbitWageActivation {
  return new LowbitWageActivation(args);
}
