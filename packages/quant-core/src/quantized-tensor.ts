/**
 * `QuantizedTensor`: what hardware would store for a quantized tensor: integer codes plus the
 * numbers that turn them back into real values.
 *
 * Encodings (per channel `c` along `axis`, or one set for the whole tensor):
 * - `linear`: `value = scale[c] * (code - zeroPoint[c])`.
 * - `pow2`:   `value = 0` for code 0, else `sign(code) * scale[c] * 2^((|code| - 1) / stepsPerOctave)`,
 *   where `scale[c]` is the smallest magnitude (`2^minExponent`) and `stepsPerOctave` is 1 for
 *   base 2 and 2 for base sqrt(2).
 *
 * ```ts
 * const q = new QuantizedTensor({ codes: Int32Array.of(-1, 0, 1), shape: [3], bits: 2, signed: true, scale: [0.5] });
 * q.dequantize(); // Float32Array [-0.5, 0, 0.5]
 * ```
 */
import { LowbitConfigError, LowbitDataError } from './errors.js';
import { checkInteger, checkOneOf } from './validate.js';

export type CodeEncoding = 'linear' | 'pow2';

export interface QuantizedTensorInit {
  codes: Int32Array;
  shape: number[];
  bits: number;
  signed: boolean;
  scale: ArrayLike<number>;
  zeroPoint?: ArrayLike<number>;
  /** Channel axis when `scale` has one entry per channel. */
  axis?: number;
  encoding?: CodeEncoding;
  /** For `pow2`: 1 (base 2) or 2 (base sqrt 2). */
  stepsPerOctave?: number;
}

export class QuantizedTensor {
  readonly codes: Int32Array;
  readonly shape: number[];
  readonly bits: number;
  readonly signed: boolean;
  readonly scale: Float64Array;
  readonly zeroPoint: Int32Array;
  readonly axis: number | undefined;
  readonly encoding: CodeEncoding;
  readonly stepsPerOctave: number;

  constructor(init: QuantizedTensorInit) {
    this.bits = checkInteger('bits', init.bits, 1, 32);
    this.encoding = checkOneOf('encoding', init.encoding ?? 'linear', ['linear', 'pow2'] as const);
    this.stepsPerOctave = checkInteger('stepsPerOctave', init.stepsPerOctave ?? 1, 1, 2);
    this.signed = init.signed;
    if (!Array.isArray(init.shape) || !init.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new LowbitConfigError('shape', init.shape, 'expected an array of non-negative integers');
    }
    this.shape = [...init.shape];
    const size = this.shape.reduce((a, b) => a * b, 1);
    if (!(init.codes instanceof Int32Array) || init.codes.length !== size) {
      throw new LowbitDataError('QuantizedTensor', `codes must be an Int32Array of ${size} elements (shape [${this.shape}])`);
    }
    this.codes = init.codes;
    if (init.axis !== undefined) checkInteger('axis', init.axis, 0, Math.max(0, this.shape.length - 1));
    this.axis = init.axis;
    const channels = this.axis === undefined ? 1 : this.shape[this.axis];
    this.scale = Float64Array.from(init.scale);
    if (this.scale.length !== channels || !this.scale.every((s) => Number.isFinite(s) && s > 0)) {
      throw new LowbitDataError('QuantizedTensor', `scale must hold ${channels} finite positive values`);
    }
    this.zeroPoint = Int32Array.from(init.zeroPoint ?? new Array(channels).fill(0));
    if (this.zeroPoint.length !== channels) {
      throw new LowbitDataError('QuantizedTensor', `zeroPoint must hold ${channels} values`);
    }
    const [lo, hi] = this.codeRange();
    for (let i = 0; i < size; i++) {
      const c = this.codes[i];
      if (c < lo || c > hi) throw new LowbitDataError('QuantizedTensor', `code ${c} at index ${i} is outside [${lo}, ${hi}] for ${this.bits}-bit ${this.signed ? 'signed' : 'unsigned'} codes`);
    }
  }

  /** Smallest and largest code a `bits`-bit code can hold. */
  codeRange(): [number, number] {
    const half = 2 ** (this.bits - 1);
    if (!this.signed) return [0, 2 ** this.bits - 1];
    // pow2 keeps code 0 for the value 0, so its magnitudes are symmetric.
    return this.encoding === 'pow2' ? [-(half - 1), half - 1] : [-half, half - 1];
  }

  get size(): number {
    return this.codes.length;
  }

  /** Index of the channel (scale entry) of flat element `i`. */
  channelOf(i: number): number {
    if (this.axis === undefined) return 0;
    let inner = 1;
    for (let d = this.axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
    return Math.floor(i / inner) % this.shape[this.axis];
  }

  /** The real values the codes stand for. */
  dequantize(): Float32Array {
    const out = new Float32Array(this.size);
    let inner = 1;
    if (this.axis !== undefined) for (let d = this.axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
    const channels = this.scale.length;
    for (let i = 0; i < out.length; i++) {
      const ch = this.axis === undefined ? 0 : Math.floor(i / inner) % channels;
      const code = this.codes[i];
      if (this.encoding === 'linear') {
        out[i] = this.scale[ch] * (code - this.zeroPoint[ch]);
      } else {
        out[i] = code === 0 ? 0 : Math.sign(code) * this.scale[ch] * 2 ** ((Math.abs(code) - 1) / this.stepsPerOctave);
      }
    }
    return out;
  }
}
