/**
 * The quantizer parts WAGE adds to quant-core's generic layers (registered at import, so layers
 * holding them save and load with no custom objects):
 *
 * - `LowbitWageActivationQuantizer` (alias `'wage-activation'`, `{ bits, errorBits, signed }`):
 *   the output part of `wageActivation`. Forward: Q_A, `Q(C(a, k_A), k_A)`, a k_A-bit code times
 *   `sigma(k_A) = 2^(1-k_A)`; with `signed: false` the clip is `[0, 1 - sigma]` (after a ReLU, the
 *   same values). Backward: straight through Q_A inside the clip range (0 outside), then the error
 *   is quantized by Q_E (`errorBits`, see `errorQuantizerOp`) before it flows further down, so
 *   `quantActivation({ activation: 'relu', outputQuantizer })` computes WAGE's `ReLU -> Q_E -> Q_A`.
 *   `errorBits: null` skips Q_E; `bits: null` skips Q_A (values pass unchanged, only the error is
 *   quantized: the part of `wageErrorQuantizer`, reported as float32, no integer export).
 * - `LowbitWagePassThroughQuantizer` (alias `'wage-pass-through'`, `{ bits, signed }`): the input
 *   part of `wageDense` / `wageConv2d`. It does not change values (the WAGE activation before the
 *   layer already put them on the k_A grid): it reports the input as a k_A-bit integer to
 *   hw-model and exports the codes of values on that grid (`quantize` throws for others).
 *
 * ```ts
 * const qa = new LowbitWageActivationQuantizer({ bits: 8, errorBits: 8, signed: false });
 * quantActivation({ activation: 'relu', outputQuantizer: qa }); // what wageActivation({}) returns
 * new LowbitWagePassThroughQuantizer({ bits: 8 }).precision(); // { kind: 'int', bits: 8, signed: true }
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  checkBoolean,
  checkConfig,
  checkFloatTensor,
  fakeQuantAffine,
  FLOAT32,
  LowbitConfigError,
  LowbitDataError,
  QuantizedTensor,
  Quantizer,
  quantizeAffine,
  registerQuantizer,
  wageSigma,
  type OperandPrecision,
  type QuantizerCallOptions,
} from '@lowbit/quant-core';
import { checkWageBits, maxWageCode } from './bits.js';
import { errorQuantizerOp } from './error-quantizer.js';

export interface WageActivationQuantizerConfig {
  /** Activation bit width k_A, 2..16, or null for no Q_A (default 8). */
  bits?: number | null;
  /** Error bit width k_E, 2..16, or null for no Q_E (default 8). */
  errorBits?: number | null;
  /** Negative codes allowed (default true); false clips at 0 (inputs after a ReLU). */
  signed?: boolean;
}

/** The k-bit WAGE grid as fakeQuantAffine parameters. */
function wageGrid(bits: number, signed: boolean): { scale: number; qmin: number; qmax: number } {
  const top = maxWageCode(bits);
  return { scale: wageSigma(bits), qmin: signed ? -top : 0, qmax: top };
}

/** WAGE's activation part: Q_A forward; backward Q_A's straight-through mask, then Q_E. */
export class LowbitWageActivationQuantizer extends Quantizer {
  static className = 'LowbitWageActivationQuantizer';
  readonly bits: number | null;
  readonly errorBits: number | null;
  readonly signed: boolean;

  constructor(config: WageActivationQuantizerConfig = {}) {
    super();
    const c = checkConfig<WageActivationQuantizerConfig>('LowbitWageActivationQuantizer', config, [
      'bits',
      'errorBits',
      'signed',
    ]);
    this.bits = c.bits === null ? null : checkWageBits('bits', c.bits ?? 8);
    this.errorBits = c.errorBits === null ? null : checkWageBits('errorBits', c.errorBits ?? 8);
    this.signed = checkBoolean('signed', c.signed ?? true);
    if (this.bits === null && this.errorBits === null) {
      throw new LowbitConfigError(
        'LowbitWageActivationQuantizer',
        config,
        'bits and errorBits are both null: nothing to do',
      );
    }
  }

  call(x: tf.Tensor, _options: QuantizerCallOptions = {}): tf.Tensor {
    checkFloatTensor('x', x);
    const { bits, errorBits } = this;
    if (bits === null) return errorQuantizerOp(x, errorBits!);
    if (errorBits === null) return fakeQuantAffine(x, wageGrid(bits, this.signed));
    // Forward order Q_E (identity) then Q_A: the backward pass masks first, then quantizes the error.
    return tf.tidy(() => fakeQuantAffine(errorQuantizerOp(x, errorBits), wageGrid(bits, this.signed)));
  }

  /** Q_A's k_A-bit codes; float32 when there is no Q_A. */
  precision(): OperandPrecision {
    if (this.bits === null) return { ...FLOAT32 };
    return { kind: 'int', bits: this.bits, signed: this.signed };
  }

  /** Codes of Q_A (scale sigma(k_A), a power of two). Throws without Q_A (`bits: null`). */
  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    if (this.bits === null) {
      throw new LowbitConfigError('bits', null, 'without Q_A the values pass unchanged: there are no integer codes');
    }
    return quantizeAffine(x, wageGrid(this.bits, this.signed), { bits: this.bits, signed: this.signed });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, errorBits: this.errorBits, signed: this.signed };
  }
}

export interface WagePassThroughQuantizerConfig {
  /** Bit width k_A of the WAGE activation feeding the layer, 2..16 (default 8). */
  bits?: number;
  /** Report signed codes (default true). */
  signed?: boolean;
}

/** Identity; reports (and exports) the k_A-bit WAGE grid the values are already on. */
export class LowbitWagePassThroughQuantizer extends Quantizer {
  static className = 'LowbitWagePassThroughQuantizer';
  readonly bits: number;
  readonly signed: boolean;

  constructor(config: WagePassThroughQuantizerConfig = {}) {
    super();
    const c = checkConfig<WagePassThroughQuantizerConfig>('LowbitWagePassThroughQuantizer', config, ['bits', 'signed']);
    this.bits = checkWageBits('bits', c.bits ?? 8);
    this.signed = checkBoolean('signed', c.signed ?? true);
  }

  /** The input, unchanged (a new handle on the same data; identity gradient). */
  call(x: tf.Tensor, _options: QuantizerCallOptions = {}): tf.Tensor {
    checkFloatTensor('x', x);
    return tf.clone(x);
  }

  precision(): OperandPrecision {
    return { kind: 'int', bits: this.bits, signed: this.signed };
  }

  /**
   * Codes `x / sigma(k_A)` of values already on the k_A grid (integers within +-(2^(k_A-1) - 1),
   * or 0..2^(k_A-1) - 1 unsigned). Throws a LowbitDataError naming the first value off the grid.
   */
  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const { scale, qmin, qmax } = wageGrid(this.bits, this.signed);
    const values = x.dataSync();
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const code = values[i] / scale; // exact: scale is a power of two
      if (!Number.isInteger(code) || code < qmin || code > qmax) {
        throw new LowbitDataError(
          'LowbitWagePassThroughQuantizer.quantize',
          `value ${values[i]} at ${i} is not on the ${this.bits}-bit WAGE grid ` +
            `(codes ${qmin}..${qmax} times ${scale}); put a wageActivation before this layer`,
        );
      }
      codes[i] = code + 0;
    }
    return new QuantizedTensor({ codes, shape: [...x.shape], bits: this.bits, signed: this.signed, scale: [scale] });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, signed: this.signed };
  }
}

registerQuantizer(LowbitWageActivationQuantizer, ['wage-activation']);
registerQuantizer(LowbitWagePassThroughQuantizer, ['wage-pass-through']);
