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
 * as `round(7 w) / 7` exact (the float32 value of 1/7 would move ties). Every step is rounded to
 * float32 (`Math.fround`) exactly where the composed tfjs ops round, so the loop is bit-exact
 * with the composed fallback.
 */

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
export function fakeQuantAffineLoop(
  x: ArrayLike<number>,
  out: Float32Array,
  shape: readonly number[],
  attrs: FakeQuantAffineAttrs,
): void {
  const { axis } = attrs;
  const channels = attrs.scale.length;
  let inner = 1;
  if (axis >= 0) for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const n = x.length;
  if (axis < 0) {
    fakeQuantRange(x, out, 0, n, attrs.scale[0], attrs.zeroPoint[0], attrs);
    return;
  }
  for (let start = 0, c = 0; start < n; start += inner, c = c + 1 === channels ? 0 : c + 1) {
    fakeQuantRange(x, out, start, Math.min(n, start + inner), attrs.scale[c], attrs.zeroPoint[c], attrs);
  }
}

/** 1.5 * 2^52: adding and subtracting it rounds a double to an integer, ties to even. */
const ROUND_MAGIC = 6755399441055744;

/**
 * One channel's run `[start, end)`, with the scale and zero point as the float32 values a tfjs
 * tensor would hold. Branch-free, which is what makes it fast: round half to even is
 * `(v + 1.5 * 2^52) - 1.5 * 2^52` in double arithmetic (exact for the float32 value `v` when
 * |v| < 2^51; beyond that the code is clipped anyway, as qmin/qmax are within 2^24), and the clip
 * is Math.min/Math.max (NaN stays NaN). `Math.round` and if/else clipping ran about 20x slower
 * on random data (a call, and mispredicted branches).
 */
function fakeQuantRange(
  x: ArrayLike<number>,
  out: Float32Array,
  start: number,
  end: number,
  scale: number,
  zeroPoint: number,
  attrs: FakeQuantAffineAttrs,
): void {
  const fr = Math.fround;
  const sc = fr(scale);
  const zp = fr(zeroPoint);
  const { qmin, qmax } = attrs;
  const M = ROUND_MAGIC;
  if (attrs.inverse === 1) {
    for (let i = start; i < end; i++) {
      const q = Math.min(Math.max(fr(fr(x[i] * sc) + M - M + zp), qmin), qmax);
      out[i] = fr(q - zp) / sc;
    }
  } else {
    for (let i = start; i < end; i++) {
      const q = Math.min(Math.max(fr(fr(x[i] / sc) + M - M + zp), qmin), qmax);
      out[i] = fr(q - zp) * sc;
    }
  }
}
