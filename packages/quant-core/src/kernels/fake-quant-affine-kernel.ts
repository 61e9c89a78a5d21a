/**
 * The `LowbitFakeQuantAffine` kernel: name, attributes, and the element loop shared by every
 * JS-loop backend implementation. The op that runs it is `fakeQuantAffine` in
 * `ops/fake-quant-affine.ts`; the kernel configs per backend live beside this file and are
 * registered in one place, `kernels/register.ts`.
 *
 * Forward, per element with channel `c` (or the single channel when per-tensor):
 * `(clip(round(x / scale[c]) + zeroPoint[c], qmin, qmax) - zeroPoint[c]) * scale[c]`,
 * round half to even. With `inverse` set, `scale` holds `d = 1 / step` instead and the op computes
 * `(clip(round(x * d[c]) + zeroPoint[c], qmin, qmax) - zeroPoint[c]) / d[c]`, which keeps grids such
 * as `round(7 w) / 7` exact (the float32 value of 1/7 would move ties). Every step is rounded to float32 (`Math.fround`) exactly where the composed
 * tfjs ops round, so the loop is bit-exact with the composed fallback.
 */

import { roundHalfEven } from '../rounding.js';

/** Kernel name, as tfjs uses it for `registerKernel` / `runKernel`. */
export const LowbitFakeQuantAffine = 'LowbitFakeQuantAffine';

/**
 * Attributes of the kernel. `axis` is -1 for one scale for the whole tensor. `inverse` 1 means
 * `scale` holds the reciprocal step (multiply to quantize, divide to dequantize).
 */
export interface FakeQuantAffineAttrs {
  scale: number[];
  inverse: number;
  zeroPoint: number[];
  qmin: number;
  qmax: number;
  axis: number;
  [key: string]: number | number[];
}


/** Fake-quantizes `x` into `out` (same length); `shape` locates the channel of each element. */
export function fakeQuantAffineLoop(x: ArrayLike<number>, out: Float32Array, shape: readonly number[], attrs: FakeQuantAffineAttrs): void {
  const { qmin, qmax, axis } = attrs;
  const inverse = attrs.inverse === 1;
  const channels = attrs.scale.length;
  let inner = 1;
  if (axis >= 0) for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const n = x.length;
  // Scales and zero points as the float32 values a tfjs tensor would hold.
  const s = attrs.scale.map((v) => Math.fround(v));
  const z = attrs.zeroPoint.map((v) => Math.fround(v));
  const fr = Math.fround;
  for (let start = 0, c = 0; start < n; start += inner, c = c + 1 === channels ? 0 : c + 1) {
    const sc = s[c];
    const zp = z[c];
    const end = Math.min(n, start + (axis >= 0 ? inner : n));
    for (let i = start; i < end; i++) {
      let q = fr(roundHalfEven(inverse ? fr(x[i] * sc) : fr(x[i] / sc)) + zp);
      if (q > qmax) q = qmax;
      else if (q < qmin) q = qmin;
      out[i] = inverse ? fr(fr(q - zp) / sc) : fr(fr(q - zp) * sc);
    }
    if (axis < 0) break;
  }
}
