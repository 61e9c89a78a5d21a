/**
 * `LowbitLogQuantizer` (aliases `'log2'`, `'pow2'`; `LowbitLogSqrt2Quantizer` is `'log-sqrt2'`):
 * LogQuant of Miyashita, Lee and Murmann (arXiv 1603.01025): values become signed powers of two
 * (base 2) or of sqrt 2, so multiplying by them is a shift.
 *
 * With `s` steps per octave (1 for base 2, 2 for base sqrt 2) and b bits:
 * - b bits hold 2^b codes and code 0 is the value 0, so there are `L = 2^b - 1` magnitudes
 *   (unsigned, for post-ReLU inputs) or `L = 2^(b-1) - 1` (signed: a sign bit + exponent).
 * - `e = round(s log2|x|)` (half-steps for sqrt 2), clipped above at the full-scale exponent
 *   `s FSR`; the magnitudes are `2^(e/s)` for `e` in `[s FSR - L + 1, s FSR]`.
 * - `x = 0 -> 0`. Underflow: when `e` is below the smallest level, the value becomes 0 (not the
 *   smallest level), as the paper's clip does at its lower bound. Unsigned: `x < 0 -> 0`.
 *   (The paper writes the exponent range as `[FSR - 2^b, FSR]`, which holds more levels than b
 *   bits can code next to the zero code; we keep exactly the ones b bits can hold.)
 * - FSR: an integer (`fsr: 3`) or `'auto'` (default): `round(log2 max|x|)` of each tensor.
 * Backward: straight-through (identity) for every element.
 *
 * `quantize()` gives a pow2-encoded `QuantizedTensor` (code = sign * (e - eMin + 1),
 * `scale = 2^(eMin / s)`), whose `dequantize()` equals `call()` bit for bit: the forward pass looks
 * its values up in a table computed exactly as `dequantize()` computes them.
 *
 * `LowbitLinearFsrQuantizer` (`'linear-fsr'`), the paper's linear baseline:
 * `LinearQuant(x, b, FSR) = clip(round(x / 2^(FSR-b)) * 2^(FSR-b), 0, 2^FSR)`, except that the top is
 * the largest b-bit code, `2^FSR - 2^(FSR-b)`, so codes fit b bits (the bound 2^FSR itself would
 * need a (b+1)-th bit). Straight-through gradient, 0 outside the clip range.
 *
 * ```ts
 * const q = new LowbitLogQuantizer({ bits: 3, fsr: 0 });   // signed: 0, +-1, +-1/2, +-1/4
 * q.call(tf.tensor([0.7, -0.3, 0.01, 5])); // [0.5, -0.25, 0, 1]  (0.01 underflows to 0)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffine, quantizeAffine } from '../ops/fake-quant-affine.js';
import { straightThrough } from '../ops/ste.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { checkBoolean, checkInteger, checkOneOf, checkTensor } from '../validate.js';
import { checkBits, checkCallOptions, checkConfig, checkFloatTensor, maskedSte } from './common.js';

export type LogBase = 2 | 'sqrt2';

export interface LogQuantizerConfig {
  /** Bits per code, including the sign bit when signed (default 4; signed needs >= 2). */
  bits?: number;
  /** 2 (default) or 'sqrt2'. */
  base?: LogBase;
  /** Sign bit + exponent (default true) or exponent only for non-negative inputs. */
  signed?: boolean;
  /** Full-scale exponent: an integer in [-126, 127], or 'auto' (round(log2 max|x|), default). */
  fsr?: number | 'auto';
}

const FSR_RANGE: [number, number] = [-126, 127];

function checkFsr(value: unknown): number | 'auto' {
  if (value === 'auto') return value;
  if (typeof value !== 'number')
    throw new LowbitConfigError('fsr', value, `expected 'auto' or an integer from ${FSR_RANGE[0]} to ${FSR_RANGE[1]}`);
  return checkInteger('fsr', value, ...FSR_RANGE);
}

/** round(log2 max|x|), clamped to the FSR range; 0 for an all-zero or empty tensor. */
export function calibrateFsr(x: tf.Tensor): number {
  checkTensor('x', x, { dtype: ['float32', 'int32'] });
  if (x.size === 0) return 0;
  const m = tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0]);
  if (Number.isNaN(m) || m === Infinity)
    throw new LowbitConfigError('x', x, 'expected finite values to calibrate the full-scale exponent');
  if (m === 0) return 0;
  return Math.min(FSR_RANGE[1], Math.max(FSR_RANGE[0], Math.round(Math.log2(m))));
}

export class LowbitLogQuantizer extends Quantizer {
  static className = 'LowbitLogQuantizer';
  readonly bits: number;
  readonly base: LogBase;
  readonly signed: boolean;
  readonly fsr: number | 'auto';

  constructor(config: LogQuantizerConfig = {}, defaultBase: LogBase = 2) {
    super();
    const c = checkConfig<LogQuantizerConfig>((new.target as unknown as { className: string }).className, config, [
      'bits',
      'base',
      'signed',
      'fsr',
    ]);
    this.base = checkOneOf('base', c.base ?? defaultBase, [2, 'sqrt2'] as const);
    this.signed = checkBoolean('signed', c.signed ?? true);
    this.bits = checkBits(c.bits ?? 4, this.signed ? 2 : 1);
    this.fsr = checkFsr(c.fsr ?? 'auto');
  }

  /** Steps per octave: 1 for base 2, 2 for base sqrt 2. */
  get stepsPerOctave(): 1 | 2 {
    return this.base === 2 ? 1 : 2;
  }

  /** Number of non-zero magnitudes. */
  get levels(): number {
    return this.signed ? 2 ** (this.bits - 1) - 1 : 2 ** this.bits - 1;
  }

  /** Smallest and largest exponent (in steps of 1 / stepsPerOctave octave) for a given FSR. */
  exponentRange(fsr: number): [number, number] {
    const eMax = this.stepsPerOctave * fsr;
    return [eMax - this.levels + 1, eMax];
  }

  private resolveFsr(x: tf.Tensor): number {
    return this.fsr === 'auto' ? calibrateFsr(x) : this.fsr;
  }

  /** Signed codes as a float tensor: sign * (e - eMin + 1), 0 for zero / underflow / negatives when unsigned. */
  private codes(x: tf.Tensor, fsr: number): tf.Tensor {
    const [eMin, eMax] = this.exponentRange(fsr);
    const s = this.stepsPerOctave;
    return tf.tidy(() => {
      const a = tf.abs(x);
      const e = tf.round(tf.mul(tf.div(tf.log(a), tf.scalar(Math.LN2)), tf.scalar(s)));
      const mag = tf.sub(tf.minimum(e, eMax), eMin - 1);
      const zero = tf.logicalOr(tf.less(e, eMin), tf.equal(a, 0));
      const signed = this.signed ? tf.mul(tf.sign(x), mag) : tf.where(tf.greater(x, 0), mag, tf.zerosLike(mag));
      return tf.where(zero, tf.zerosLike(signed), signed);
    });
  }

  /** Value of every code from -L to L, computed exactly as QuantizedTensor.dequantize() does. */
  private table(fsr: number): Float32Array {
    const [eMin] = this.exponentRange(fsr);
    const s = this.stepsPerOctave;
    const scale = 2 ** (eMin / s);
    const L = this.levels;
    const out = new Float32Array(2 * L + 1);
    for (let c = -L; c <= L; c++) out[c + L] = c === 0 ? 0 : Math.sign(c) * scale * 2 ** ((Math.abs(c) - 1) / s);
    return out;
  }

  private forward(x: tf.Tensor, fsr: number): tf.Tensor {
    return tf.tidy(() => {
      const idx = tf.cast(tf.add(this.codes(x, fsr), this.levels), 'int32');
      return tf.reshape(tf.gather(tf.tensor1d(this.table(fsr)), tf.reshape(idx, [-1])), x.shape);
    });
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    const fsr = this.resolveFsr(x);
    return straightThrough(x, (t) => this.forward(t, fsr));
  }

  precision(): OperandPrecision {
    return { kind: 'pow2', bits: this.bits, signed: this.signed };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const fsr = this.resolveFsr(x);
    const c = this.codes(x, fsr);
    const values = c.dataSync();
    c.dispose();
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) throw new LowbitConfigError('x', x, `expected finite values; element ${i} is NaN`);
      codes[i] = values[i];
    }
    const [eMin] = this.exponentRange(fsr);
    return new QuantizedTensor({
      codes,
      shape: [...x.shape],
      bits: this.bits,
      signed: this.signed,
      scale: [2 ** (eMin / this.stepsPerOctave)],
      encoding: 'pow2',
      stepsPerOctave: this.stepsPerOctave,
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, base: this.base, signed: this.signed, fsr: this.fsr };
  }
}

/** {@link LowbitLogQuantizer} with base sqrt 2 by default (alias `'log-sqrt2'`). */
export class LowbitLogSqrt2Quantizer extends LowbitLogQuantizer {
  static override className = 'LowbitLogSqrt2Quantizer';
  constructor(config: LogQuantizerConfig = {}) {
    super(config, 'sqrt2');
  }
}

export interface LinearFsrQuantizerConfig {
  /** Bits per code (default 4). */
  bits?: number;
  /** Full-scale exponent, or 'auto' (round(log2 max|x|), default). */
  fsr?: number | 'auto';
}

export class LowbitLinearFsrQuantizer extends Quantizer {
  static className = 'LowbitLinearFsrQuantizer';
  readonly bits: number;
  readonly fsr: number | 'auto';

  constructor(config: LinearFsrQuantizerConfig = {}) {
    super();
    const c = checkConfig<LinearFsrQuantizerConfig>('LowbitLinearFsrQuantizer', config, ['bits', 'fsr']);
    this.bits = checkBits(c.bits ?? 4);
    this.fsr = checkFsr(c.fsr ?? 'auto');
  }

  private grid(x: tf.Tensor): { scale: number; qmin: number; qmax: number } {
    const fsr = this.fsr === 'auto' ? calibrateFsr(x) : this.fsr;
    return { scale: 2 ** (fsr - this.bits), qmin: 0, qmax: 2 ** this.bits - 1 };
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    const grid = this.grid(x);
    return maskedSte(x, (t) => fakeQuantAffine(t, grid), 0, grid.scale * grid.qmax);
  }

  precision(): OperandPrecision {
    return { kind: 'int', bits: this.bits, signed: false };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    return quantizeAffine(x, this.grid(x), { bits: this.bits, signed: false });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, fsr: this.fsr };
  }
}

registerQuantizer(LowbitLogQuantizer as never, ['log2', 'pow2']);
registerQuantizer(LowbitLogSqrt2Quantizer as never, ['log-sqrt2']);
registerQuantizer(LowbitLinearFsrQuantizer, ['linear-fsr']);
