/**
 * `LowbitDqaActivation`: a tfjs layer that fake-quantizes the activations flowing through it with
 * DQA (direct N bits on ordinary channels, N + m bits on important ones). Channels are the last
 * axis. Its scales and important channels are fixed numbers from calibration, stored in its config,
 * so the layer has no weights and saves / loads with the model (registered as
 * `LowbitDqaActivation`). `applyDqa` inserts it after each hidden activation of a trained model.
 *
 * Backward: straight-through (the gradient passes unchanged), so a quantized model can still be
 * fine-tuned or probed with gradients.
 *
 * ```ts
 * const q = new LowbitDqaActivation({ bits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] });
 * const y = q.apply(tf.tensor2d([[0.33, 0.33]])) as tf.Tensor; // [[0.3, 0.325]]
 * const bytes = encode(activations, q.dqaParams());               // what a device would store
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { LowbitConfigError, straightThrough, type LayerPrecision } from '@lowbit/quant-core';
import { checkDqaParams, type CheckedDqaParams, type TableGranularity } from './dqa-params.js';
import { dqaFakeQuant } from './dqa-quantize.js';

export interface DqaActivationArgs extends LayerArgs {
  /** N, 2..8. */
  bits: number;
  /** m, 1..8 (default 3). */
  extraBits?: number;
  /** `delta_N` per channel (> 0). */
  scales: ArrayLike<number>;
  /** Important channel indices (may be empty: direct N-bit quantization). */
  important?: ArrayLike<number>;
  /** Huffman table granularity used when encoding this layer's activations (default 'layer'). */
  tableGranularity?: TableGranularity;
}

export class LowbitDqaActivation extends tfl.layers.Layer {
  static className = 'LowbitDqaActivation';
  private readonly params: CheckedDqaParams;

  constructor(args: DqaActivationArgs) {
    if (args === null || typeof args !== 'object') throw new LowbitConfigError('args', args, 'expected { bits, scales, ... }');
    const { bits, extraBits = 3, scales, important = [], tableGranularity = 'layer', ...layerArgs } = args;
    super(layerArgs);
    this.params = checkDqaParams({ bits, extraBits, scales, important, tableGranularity }, 'LowbitDqaActivation');
    this.trainable = false;
  }

  /** The quantization parameters, as `encode` takes them. */
  dqaParams(): CheckedDqaParams {
    const p = this.params;
    return { ...p, scales: p.scales.slice(), important: p.important.slice(), isImportant: p.isImportant.slice() };
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) || inputShape[0] === undefined ? inputShape[0] : inputShape) as tfl.Shape;
    this.checkChannels(shape[shape.length - 1], shape);
    super.build(inputShape);
  }

  private checkChannels(last: number | null | undefined, shape: unknown): void {
    if (shape && Array.isArray(shape) && shape.length < 2) {
      throw new LowbitConfigError('inputShape', shape, 'expected rank >= 2 (batch and channels last)');
    }
    if (last !== null && last !== undefined && last !== this.params.channels) {
      throw new LowbitConfigError('inputShape', shape, `expected a last (channel) axis of ${this.params.channels}, one per scale`);
    }
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (Array.isArray(inputs) && inputs.length !== 1) throw new LowbitConfigError('inputs', inputs, 'expected exactly one tensor');
      this.checkChannels(x.shape[x.rank - 1], x.shape);
      return straightThrough(x, (t) => dqaFakeQuant(t, this.params));
    });
  }

  /** Stored precision: N-bit signed codes (important channels add Huffman-coded shift errors). */
  lowbitPrecision(): LayerPrecision {
    return { output: { kind: 'int', bits: this.params.bits, signed: true } };
  }

  override getConfig(): tf.serialization.ConfigDict {
    const p = this.params;
    return {
      ...super.getConfig(),
      bits: p.bits,
      extraBits: p.extraBits,
      scales: Array.from(p.scales),
      important: Array.from(p.important),
      tableGranularity: p.tableGranularity,
    };
  }
}

tf.serialization.registerClass(LowbitDqaActivation);
