/**
 * The WAGE error quantizer Q_E: identity in the forward pass; in the backward pass the error
 * (the gradient arriving from above) becomes `Q(C(e / Shift(max|e|), k_E), k_E)`, with the max
 * over the whole tensor (batch included). Dividing by a power of two keeps the direction and the
 * relative sizes of the error; only its k_E-bit pattern flows further down. An all-zero error
 * stays zero. The math is quant-core's `wageQuantizeError`; this file adds the op and the layer.
 *
 * `LowbitWageErrorQuantizer` (`wageErrorQuantizer({ bitsE })`) is the layer form, placed on the
 * network output; {@link LowbitWageActivation} applies the same op after each ReLU.
 *
 * ```ts
 * const y = errorQuantizerOp(x, 8); // y equals x; dL/dx = wageQuantizeError(dL/dy, 8)
 * // an error [0.3, -0.05, 0.001]: Shift(0.3) = 0.25 -> [0.9921875, -0.203125, 0.0078125]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkConfig, checkFloatTensor, LowbitConfigError, unaryCustomGrad, wageQuantizeError, type LayerPrecision } from '@lowbit/quant-core';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { checkWageBits } from './bits.js';

/** Identity forward; backward `wageQuantizeError(dy, bitsE)` (quant-core). */
export function errorQuantizerOp(x: tf.Tensor, bitsE: number): tf.Tensor {
  checkFloatTensor('x', x);
  checkWageBits('bitsE', bitsE);
  return unaryCustomGrad((input) => ({ value: input, gradFunc: (dy) => wageQuantizeError(dy, bitsE) }))(x);
}

export interface WageErrorQuantizerArgs {
  /** Error bit width k_E, 2..16 (default 8). */
  bitsE?: number;
  name?: string;
  inputShape?: tfl.Shape;
  batchInputShape?: tfl.Shape;
  trainable?: boolean;
  dtype?: 'float32';
}

// tfjs adds `customObjects` to a layer's config when it deserializes a model.
const LAYER_KEYS = ['name', 'inputShape', 'batchInputShape', 'batchSize', 'trainable', 'dtype', 'customObjects'];

/** The Q_E layer: identity forward, k_E-bit errors backward. No weights. */
export class LowbitWageErrorQuantizer extends tfl.layers.Layer {
  static className = 'LowbitWageErrorQuantizer';
  readonly bitsE: number;

  constructor(args: WageErrorQuantizerArgs = {}) {
    const c = checkConfig<WageErrorQuantizerArgs>('wageErrorQuantizer', args, ['bitsE', ...LAYER_KEYS]);
    const base: Record<string, unknown> = { ...c };
    delete base.bitsE;
    delete base.customObjects;
    super(base as LayerArgs);
    this.bitsE = checkWageBits('bitsE', c.bitsE ?? 8);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? single(inputs, this.name) : inputs;
    return errorQuantizerOp(x, this.bitsE);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  /** Forward values are untouched (float); the error it emits is a k_E-bit signed integer. */
  lowbitPrecision(): LayerPrecision {
    return {};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { bitsE: this.bitsE, ...super.getConfig() };
  }
}
tf.serialization.registerClass(LowbitWageErrorQuantizer);

/** Creates a {@link LowbitWageErrorQuantizer}. */
export function wageErrorQuantizer(args: WageErrorQuantizerArgs = {}): LowbitWageErrorQuantizer {
  return new LowbitWageErrorQuantizer(args);
}

export function single(inputs: tf.Tensor[], name: string): tf.Tensor {
  if (inputs.length !== 1) throw new LowbitConfigError(`${name}.inputs`, inputs.length, 'expected exactly one input tensor');
  return inputs[0];
}
