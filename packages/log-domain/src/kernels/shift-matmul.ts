/**
 * The `LowbitShiftMatMul` kernel: `y = a x b` for int32 code matrices `a` [M, K] and `b` [K, N]
 * where at least one side is log-coded, computed with shifts and adds only (no multiplier):
 *
 * - log activations x fixed-point weights: `y = sum_k w_k << e_k`,
 * - log x log: `y = sum_k +-2^(e_w + e_x)` (exponents add).
 *
 * See `shift-operand.ts` for the code kinds. The integer accumulators are exact (JS doubles hold
 * integers exactly up to 2^53; a shift by `s` is a multiplication by the exact power of two
 * `2^s`, because JS's `<<` works on 32 bits only). The output is `acc * scale[n]` rounded to
 * float32 in the same steps the composed fallback (`ops/shift-matmul.ts`) rounds, so the two agree
 * bit for bit whenever the fallback's float32 sums are exact (|acc| < 2^24).
 */
import { LowbitDataError } from '@lowbit/quant-core';
import { type ShiftOperandKind, SQRT2_F32 } from '../shift-operand.js';

/** Kernel name, as tfjs uses it for `registerKernel` / `runKernel`. */
export const LowbitShiftMatMul = 'LowbitShiftMatMul';

export interface ShiftMatMulAttrs {
  aKind: ShiftOperandKind;
  bKind: ShiftOperandKind;
  /** Real value of one output unit: one entry, or one per output column `n`. */
  scale: number[];
  [key: string]: string | number[];
}

/** Exact powers of two `2^0 .. 2^maxShift` (the shifter's outputs for a unit input). */
export function powersOfTwo(maxShift: number): Float64Array {
  const t = new Float64Array(maxShift + 1);
  for (let i = 0; i <= maxShift; i++) t[i] = 2 ** i;
  return t;
}

/**
 * Largest exponent offset (in half octaves) a code may carry: 2^(1000/2 + 1000/2) is still a
 * finite double. Real log codes stay far below (8-bit base 2: 252).
 */
export const MAX_HALF_STEPS = 1000;

/** Decodes a code array into multipliers and half-octave offsets; returns the largest offset. */
export function decodeCodes(
  codes: ArrayLike<number>,
  kind: ShiftOperandKind,
  mul: Float64Array,
  half: Int32Array,
): number {
  let max = 0;
  // decodeShiftCode inlined without its argument checks (codes come from an int32 tensor).
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    const halfSteps = kind === 'int' || c === 0 ? 0 : kind === 'pow2' ? 2 * (Math.abs(c) - 1) : Math.abs(c) - 1;
    mul[i] = kind === 'int' ? c : c === 0 ? 0 : c < 0 ? -1 : 1;
    half[i] = halfSteps;
    if (halfSteps > max) {
      if (halfSteps > MAX_HALF_STEPS) {
        throw new LowbitDataError(
          'shift kernel',
          `code ${codes[i]} at index ${i} exceeds the largest ${kind} code ` +
            `(exponent offset ${MAX_HALF_STEPS} half octaves)`,
        );
      }
      max = halfSteps;
    }
  }
  return max;
}

/** `multiplier * 2^(halfSteps / 2)` for operands whose half-step offsets are all even (no sqrt 2). */
export function shiftedUnits(mul: Float64Array, half: Int32Array, maxHalf: number): Float64Array {
  const pow = powersOfTwo(maxHalf >> 1);
  const out = new Float64Array(mul.length);
  for (let i = 0; i < mul.length; i++) out[i] = mul[i] * pow[half[i] >> 1];
  return out;
}

/** Rounds an (even, odd) accumulator pair times `scale` to float32 exactly as the fallback does. */
export function finishAccumulator(even: number, odd: number, scale: number): number {
  const fr = Math.fround;
  const withOdd = odd === 0 ? fr(even) : fr(fr(even) + fr(fr(odd) * SQRT2_F32));
  return fr(withOdd * scale);
}

/** `out[m, n] = scale[n] * sum_k a[m, k] * b[k, n]`, evaluated with shifts and adds. */
export function shiftMatMulLoop(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  out: Float32Array,
  m: number,
  k: number,
  n: number,
  attrs: ShiftMatMulAttrs,
): void {
  const aMul = new Float64Array(a.length);
  const aHalf = new Int32Array(a.length);
  const bMul = new Float64Array(b.length);
  const bHalf = new Int32Array(b.length);
  const maxA = decodeCodes(a, attrs.aKind, aMul, aHalf);
  const maxB = decodeCodes(b, attrs.bKind, bMul, bHalf);
  const scale = attrs.scale.map((s) => Math.fround(s));
  const perColumn = scale.length > 1;
  const even = new Float64Array(n);
  if (attrs.aKind !== 'pow2-sqrt2' && attrs.bKind !== 'pow2-sqrt2') {
    // No sqrt 2 anywhere: shift each operand into its exact integer unit value once
    // (multiplier << halfSteps/2), then the inner loop is a plain exact integer multiply-add.
    const aUnits = shiftedUnits(aMul, aHalf, maxA);
    const bUnits = shiftedUnits(bMul, bHalf, maxB);
    for (let i = 0; i < m; i++) {
      even.fill(0);
      for (let p = 0; p < k; p++) {
        const av = aUnits[i * k + p];
        if (av === 0) continue;
        const row = p * n;
        for (let j = 0; j < n; j++) even[j] += av * bUnits[row + j];
      }
      for (let j = 0; j < n; j++) out[i * n + j] = finishAccumulator(even[j], 0, perColumn ? scale[j] : scale[0]);
    }
    return;
  }
  const pow = powersOfTwo((maxA + maxB) >> 1);
  const odd = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    even.fill(0);
    odd.fill(0);
    for (let p = 0; p < k; p++) {
      const av = aMul[i * k + p];
      if (av === 0) continue;
      const at = aHalf[i * k + p];
      const row = p * n;
      for (let j = 0; j < n; j++) {
        const bv = bMul[row + j];
        if (bv === 0) continue;
        const t = at + bHalf[row + j];
        // The shift: multiplier times 2^(t >> 1); odd t owes one more factor sqrt 2.
        const term = av * bv * pow[t >> 1];
        if (t & 1) odd[j] += term;
        else even[j] += term;
      }
    }
    for (let j = 0; j < n; j++) out[i * n + j] = finishAccumulator(even[j], odd[j], perColumn ? scale[j] : scale[0]);
  }
}
