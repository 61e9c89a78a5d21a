/**
 * `LowbitDqaQuantizer` (alias `'dqa'`): DQA as a registered quantizer part. It fake-quantizes the
 * activations it sees with DQA (direct N bits on ordinary channels, N + m bits on important ones;
 * channels are the last axis), with a straight-through gradient. Its scales and important
 * channels are fixed numbers from calibration (`calibrateDqa`), stored in its config, so it has
 * no state and saves / loads with the layer that holds it.
 *
 * It is normally the `outputQuantizer` of a `quantActivation` layer (`dqaActivation`, `applyDqa`),
 * but any lowbit layer takes it as a part: `quantDense({ ..., outputQuantizer: dqa })`.
 *
 * ```ts
 * const q = new LowbitDqaQuantizer({ bits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] });
 * q.call(tf.tensor2d([[0.33, 0.33]]));      // [[0.3, 0.325]]
 * const bytes = encode(activations, q.dqaParams()); // what a device stores
 * ```
 *
 * Integer export: `quantize(x)` gives the N-bit codes (per-channel scales) of a DQA quantizer with
 * no important channels. With important channels a device stores N-bit codes plus Huffman-coded
 * m-bit shift errors, which one `QuantizedTensor` cannot hold: `quantize` throws and `encode` is
 * the integer export.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  checkCallOptions,
  checkFloatTensor,
  checkKnownKeys,
  LowbitConfigError,
  Quantizer,
  QuantizedTensor,
  registerQuantizer,
  straightThrough,
  type OperandPrecision,
  type QuantizerCallOptions,
} from '@lowbit/quant-core';
import { checkDqaParams, type CheckedDqaParams, type TableGranularity } from './dqa-params.js';
import { dqaFakeQuant, dqaQuantizeValues } from './dqa-quantize.js';

export interface DqaQuantizerConfig {
  /** N, 2..8: bits of every stored code. */
  bits: number;
  /** m, 1..8 (default 3): extra bits of the important channels. */
  extraBits?: number;
  /** `delta_N` per channel (> 0), from calibration. */
  scales: ArrayLike<number>;
  /** Important channel indices (default none: direct N-bit quantization). */
  important?: ArrayLike<number>;
  /** Huffman table granularity used when encoding these activations (default 'layer'). */
  tableGranularity?: TableGranularity;
}

const CONFIG_KEYS = ['bits', 'extraBits', 'scales', 'important', 'tableGranularity'] as const;
const NAME = 'LowbitDqaQuantizer';

export class LowbitDqaQuantizer extends Quantizer {
  static className = NAME;
  private readonly params: CheckedDqaParams;

  constructor(config: DqaQuantizerConfig) {
    super();
    if (config === null || typeof config !== 'object' || Array.isArray(config) || config.scales === undefined) {
      throw new LowbitConfigError(
        `${NAME} config`,
        config,
        'expected { bits, scales, extraBits?, important?, tableGranularity? } (the scales come from calibrateDqa)',
      );
    }
    checkKnownKeys(NAME, config, CONFIG_KEYS);
    const { bits, extraBits = 3, scales, important = [], tableGranularity = 'layer' } = config;
    this.params = checkDqaParams({ bits, extraBits, scales, important, tableGranularity }, NAME);
  }

  /** N. */
  get bits(): number {
    return this.params.bits;
  }

  /** m. */
  get extraBits(): number {
    return this.params.extraBits;
  }

  /** Number of channels (the size of the last axis this quantizer accepts). */
  get channels(): number {
    return this.params.channels;
  }

  /** The quantization parameters, as `encode` takes them (a copy). */
  dqaParams(): CheckedDqaParams {
    const p = this.params;
    return { ...p, scales: p.scales.slice(), important: p.important.slice(), isImportant: p.isImportant.slice() };
  }

  /** Checks the host layer's input shape: batch first, channels last, one channel per scale. */
  override build(shape: number[]): void {
    if (shape.length < 2) {
      throw new LowbitConfigError(`${NAME} input shape`, shape, 'expected rank >= 2 (batch and channels last)');
    }
    this.checkChannels(shape[shape.length - 1]!, shape);
  }

  private checkChannels(last: number, shape: readonly number[]): void {
    if (last >= 0 && last !== this.params.channels) {
      throw new LowbitConfigError(
        `${NAME} input shape`,
        shape,
        `expected a last (channel) axis of ${this.params.channels}, one per scale`,
      );
    }
  }

  /**
   * DQA fake quantization; the gradient passes straight through (clipped values included). NaN
   * activations stay NaN here; `quantize` and `encode` reject them.
   */
  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    if (x.rank < 1) throw new LowbitConfigError(`${NAME} input shape`, x.shape, 'expected a channels-last tensor');
    this.checkChannels(x.shape[x.rank - 1]!, x.shape);
    return straightThrough(x, (t) => dqaFakeQuant(t, this.params));
  }

  /** Stored precision: N-bit signed codes (important channels add Huffman-coded shift errors). */
  precision(): OperandPrecision {
    return { kind: 'int', bits: this.params.bits, signed: true };
  }

  /**
   * N-bit codes with one scale per channel (last axis) when no channel is important; with
   * important channels, throws: their integer form is `encode`'s (codes plus shift errors).
   */
  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const p = this.params;
    if (p.important.length > 0) {
      throw new LowbitConfigError(
        `${NAME}.quantize`,
        `${p.important.length} important channel(s)`,
        'DQA stores important channels as N-bit codes plus Huffman-coded m-bit shift errors, which one ' +
          'QuantizedTensor cannot hold; the integer export of DQA activations is encode(x, dqaParamsOf(layer)) ' +
          '(decode restores them bit for bit)',
      );
    }
    if (x.rank < 1) throw new LowbitConfigError(`${NAME} input shape`, x.shape, 'expected a channels-last tensor');
    this.checkChannels(x.shape[x.rank - 1]!, x.shape);
    const { codes } = dqaQuantizeValues(x.dataSync() as Float32Array, p);
    return new QuantizedTensor({
      codes: Int32Array.from(codes),
      shape: [...x.shape],
      bits: p.bits,
      signed: true,
      scale: p.scales,
      axis: x.rank - 1,
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    const p = this.params;
    return {
      bits: p.bits,
      extraBits: p.extraBits,
      scales: Array.from(p.scales),
      important: Array.from(p.important),
      tableGranularity: p.tableGranularity,
    };
  }
}

registerQuantizer(LowbitDqaQuantizer, ['dqa']);
