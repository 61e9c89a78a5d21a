/**
 * Operands of the shift kernels from a layer's integer export: `QuantizedTensor` codes (from a
 * quantizer's `quantize`) as the shift kernels read them (`shift-operand.ts`), with the real
 * value of one unit. Linear codes are centered (`code - zeroPoint`), so asymmetric fixed-point
 * inputs shift as well.
 *
 * `inputCodesOf(quantizer, input)` gives the codes of an input that has already been
 * fake-quantized (what `Arithmetic.product` receives): the quantizer's own export of those values
 * when it reproduces them, else the same values coded with a finer unit (a quantizer calibrated
 * per tensor can calibrate differently on its own output; the values, not the unit, are what
 * the product must use).
 *
 * ```ts
 * const x = inputCodesOf(layer.inputQuantizer, fakeQuantizedInput);
 * const w = shiftCodesOf(layer.kernelQuantizer.quantize(kernel), 'kernel');
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, type QuantizedTensor, type Quantizer } from '@lowbit/quant-core';
import type { ShiftOperandKind } from '../shift-operand.js';

export interface ShiftCodes {
  /** Integer codes in the kind's reading (linear codes minus their zero point). */
  codes: Int32Array;
  shape: number[];
  kind: ShiftOperandKind;
  /** Real value of one unit: one entry, or one per channel along `axis`. */
  scale: number[];
  /** Channel axis of a per-channel `scale`. */
  axis?: number;
}

/** The shift operand of exported codes. An input must have one scale for the whole tensor. */
export function shiftCodesOf(q: QuantizedTensor, role: 'input' | 'kernel'): ShiftCodes {
  const perChannel = q.scale.length > 1;
  if (perChannel && role === 'input') {
    throw new LowbitConfigError('inputQuantizer axis', q.axis, 'shift products need one scale for the whole input');
  }
  const scale = Array.from(q.scale);
  const axis = perChannel ? q.axis : undefined;
  if (q.encoding === 'pow2') {
    return { codes: q.codes, shape: q.shape, kind: q.stepsPerOctave === 2 ? 'pow2-sqrt2' : 'pow2', scale, axis };
  }
  const codes = new Int32Array(q.size);
  for (let i = 0; i < codes.length; i++) codes[i] = q.codes[i]! - q.zeroPoint[perChannel ? q.channelOf(i) : 0]!;
  return { codes, shape: q.shape, kind: 'int', scale, axis };
}

/** The codes of an already fake-quantized input, standing exactly for its values. */
export function inputCodesOf(quantizer: Quantizer, input: tf.Tensor): ShiftCodes {
  const q = quantizer.quantize(input);
  const operand = shiftCodesOf(q, 'input');
  const values = input.dataSync() as Float32Array;
  const exported = q.dequantize();
  let same = exported.length === values.length;
  for (let i = 0; same && i < values.length; i++) same = Object.is(exported[i], values[i]) || exported[i] === values[i];
  return same ? operand : recode(values, operand);
}

/** Largest number of octaves the unit is refined by before the values are declared not codes. */
const MAX_REFINE = 64;

/** `values` coded in the kind of `like` with its unit divided by a power of two until every value is a code. */
export function recode(values: Float32Array, like: ShiftCodes): ShiftCodes {
  let unit = like.scale[0]!;
  const codes = new Int32Array(values.length);
  if (like.kind === 'int') {
    for (let k = 0; k <= MAX_REFINE; k++, unit /= 2) {
      let exact = true;
      for (let i = 0; exact && i < values.length; i++) {
        const c = Math.round(values[i]! / unit);
        codes[i] = c;
        exact = Math.abs(c) < 2 ** 30 && Math.fround(c * unit) === values[i];
      }
      if (exact) return { ...like, codes, scale: [unit], axis: undefined };
    }
    throw notCodes(values, like.kind);
  }
  const steps = like.kind === 'pow2-sqrt2' ? 2 : 1;
  let smallest = Infinity;
  for (const v of values) if (v !== 0) smallest = Math.min(smallest, Math.abs(v));
  // A whole octave at a time keeps the parity of base-sqrt-2 offsets (and so the rounding) unchanged.
  for (let k = 0; smallest < unit && k < MAX_REFINE; k++) unit /= 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0) continue;
    const offset = Math.round(steps * Math.log2(Math.abs(v) / unit));
    const back = Math.fround(Math.sign(v) * unit * 2 ** (offset / steps));
    if (offset < 0 || back !== v) throw notCodes(values, like.kind, i);
    codes[i] = Math.sign(v) * (offset + 1);
  }
  return { ...like, codes, scale: [unit], axis: undefined };
}

function notCodes(values: Float32Array, kind: ShiftOperandKind, at?: number): LowbitDataError {
  const where = at === undefined ? '' : ` (value ${values[at]} at index ${at})`;
  return new LowbitDataError(
    'shift arithmetic',
    `the quantized input is not made of ${kind} codes of one unit${where}`,
  );
}
