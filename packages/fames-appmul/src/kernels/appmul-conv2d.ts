/**
 * The `LowbitAppMulConv2d` kernel: a direct 2-D convolution of integer codes through a product
 * table, `Y[b][oy][ox][f] = sum_{i,j,c} M(X[b][oy sh + i dh - padTop][ox sw + j dw - padLeft][c], W[i][j][c][f])`
 * for `x` `[B, H, W, C]` and `w` `[kh, kw, C, F]` (int32 codes, NHWC), output int32 `[B, outH, outW, F]`.
 * A tap that falls in the padding multiplies the code 0 (what the patch matrix holds there), so
 * the sums equal the patches-times-kernel LUT product bit for bit, without building the patches.
 * Attributes: those of `LowbitAppMulMatMul` plus the geometry (strides, dilations, leading
 * padding, output size). The cpu and wasm backends run {@link appMulConv2dLoop}
 * (`appMulConv2dCpuConfig`, `appMulConv2dWasmConfig`); other backends take the patches path.
 *
 * ```ts
 * const y = tf.engine().runKernel(APPMUL_CONV2D, { x, w }, attrs); // int32 [B, outH, outW, F]
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkInteger } from '@lowbit/quant-core';
import { checkLutAttrs } from './check-lut-attrs.js';

export const APPMUL_CONV2D = 'LowbitAppMulConv2d';

/** The table and code ranges a LUT kernel needs (layout of `AppMul.table`). */
export interface LutAttrs {
  table: Int32Array;
  bitsA: number;
  bitsW: number;
  aMin: number;
  aMax: number;
  wMin: number;
  wMax: number;
}

export interface AppMulConv2dAttrs extends LutAttrs {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Output channels summed together per pass (kept in locals, sharing each activation's table row). */
const LANES = 4;

function checkedCode(kernel: string, side: string, c: number, i: number, lo: number, hi: number): number {
  if (!(c >= lo && c <= hi) || c !== Math.floor(c))
    throw new LowbitDataError(kernel, `${side} code ${c} at index ${i} is not an integer in [${lo}, ${hi}]`);
  return c;
}

/**
 * Weight bit patterns re-laid for the loop: block `g` of {@link LANES} filters, then the kernel row
 * `p = (i kw + j) C + c`, then the lane: `out[(g P + p) LANES + l] = pattern(w[p][g LANES + l])`.
 * Lanes past `F` hold pattern 0 (a valid column; their sums are never stored).
 */
function interleavedWeightPatterns(
  wv: ArrayLike<number>,
  P: number,
  F: number,
  attrs: LutAttrs,
  kernel: string,
): Int32Array {
  const { wMin, wMax } = attrs;
  const maskW = 2 ** attrs.bitsW - 1;
  const groups = Math.ceil(F / LANES);
  const out = new Int32Array(groups * P * LANES);
  for (let p = 0; p < P; p++)
    for (let f = 0; f < F; f++) {
      const i = p * F + f;
      const c = checkedCode(kernel, 'weight', wv[i], i, wMin, wMax);
      out[((((f / LANES) | 0) * P + p) * LANES) | (f % LANES)] = c & maskW;
    }
  return out;
}

/** The geometry attributes of `LowbitAppMulConv2d` (besides the table's). */
const GEOMETRY_KEYS = ['strideH', 'strideW', 'dilationH', 'dilationW', 'padTop', 'padLeft', 'outH', 'outW'];

/**
 * Checks the loop's arguments before any work, so that every allocation and the loop itself are
 * bounded by the input sizes: 4-D shapes of integers (the batch may be 0), arrays of values
 * matching them, the table of `2^(b_a + b_w)` products, and a geometry whose windows start inside
 * the (padded) input. `kh` / `kw` attributes (as `convGeometry` gives them) must match `wShape`.
 */
function checkLoopArgs(
  xv: ArrayLike<number>,
  wv: ArrayLike<number>,
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: AppMulConv2dAttrs,
  kernel: string,
): void {
  for (const [name, shape] of [
    ['xShape', xShape],
    ['wShape', wShape],
  ] as const) {
    const least = (i: number) => (name === 'xShape' && i === 0 ? 0 : 1);
    if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d, i) => Number.isInteger(d) && d >= least(i)))
      throw new LowbitConfigError(name, shape, 'expected 4 integer dimensions, each >= 1 (a batch of 0 is allowed)');
  }
  const [, H, W, C] = xShape;
  const [kh, kw, cin] = wShape;
  if (cin !== C) throw new LowbitConfigError('wShape', wShape, `expected ${C} input channels, as xShape has`);
  for (const [name, values, shape] of [
    ['x', xv, xShape],
    ['w', wv, wShape],
  ] as const) {
    const size = shape.reduce((a, b) => a * b, 1);
    const arrayLike = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
    if (!arrayLike || values.length !== size) {
      const held = arrayLike ? `${values.length} codes` : `no array of codes (${typeof values})`;
      throw new LowbitDataError(kernel, `${name} holds ${held}, its shape [${shape}] needs ${size}`);
    }
  }
  checkLutAttrs('attrs', attrs, [...GEOMETRY_KEYS, 'kh', 'kw']);
  const geometry = attrs as AppMulConv2dAttrs & { kh?: unknown; kw?: unknown };
  if (geometry.kh !== undefined) checkInteger('attrs.kh', geometry.kh, kh!, kh!);
  if (geometry.kw !== undefined) checkInteger('attrs.kw', geometry.kw, kw!, kw!);
  const sh = checkInteger('attrs.strideH', attrs.strideH, 1, 1024);
  const sw = checkInteger('attrs.strideW', attrs.strideW, 1, 1024);
  const dh = checkInteger('attrs.dilationH', attrs.dilationH, 1, 1024);
  const dw = checkInteger('attrs.dilationW', attrs.dilationW, 1, 1024);
  const padTop = checkInteger('attrs.padTop', attrs.padTop, 0, (kh! - 1) * dh);
  const padLeft = checkInteger('attrs.padLeft', attrs.padLeft, 0, (kw! - 1) * dw);
  // Every output row (column) starts its window inside the input or the leading padding.
  checkInteger('attrs.outH', attrs.outH, 1, Math.floor((H! - 1 + padTop) / sh) + 1);
  checkInteger('attrs.outW', attrs.outW, 1, Math.floor((W! - 1 + padLeft) / sw) + 1);
}

/**
 * The kernel's loop, shared by every JS-loop backend (and by `LowbitAppMulMatMul`, a 1x1
 * convolution of one image row of B pixels). Flat row-major codes `xv` `[B, H, W, C]`, `wv`
 * `[kh, kw, C, F]`; returns the int32 sums `[B, outH, outW, F]`. Shapes, table or geometry that do not
 * fit are a LowbitConfigError, values that do not fill their shape or codes outside their range a
 * LowbitDataError, all before the product loop (the checks of shapes and geometry before any allocation).
 *
 * How: activation codes become table row offsets `pattern(a) 2^b_w` in a zero-padded copy (row 0
 * is the code 0's), weights become interleaved column patterns; then per pair of output pixels
 * and group of 4 filters, 8 sums live in locals while the loop walks the kernel rows (for dilation
 * 1 in x, the `kw C` taps of a kernel row are contiguous). Sums are int32 (`| 0`: the JIT keeps
 * them in integer registers), wrapping as the Int32Array accumulation they replace did.
 */
export function appMulConv2dLoop(
  xv: ArrayLike<number>,
  wv: ArrayLike<number>,
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: AppMulConv2dAttrs,
  kernel = APPMUL_CONV2D,
): Int32Array {
  checkLoopArgs(xv, wv, xShape, wShape, attrs, kernel);
  const [B, H, W, C] = xShape as [number, number, number, number];
  const [kh, kw, , F] = wShape as [number, number, number, number];
  const { table, bitsW, aMin, aMax, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw } = attrs;
  const { padTop, padLeft, outH, outW } = attrs;
  const P = kh * kw * C;
  const wI = interleavedWeightPatterns(wv, P, F, attrs, kernel);
  // Zero-padded activation row offsets, big enough for every tap of every output pixel.
  const Hp = Math.max(H + padTop, (outH - 1) * sh + (kh - 1) * dh + 1);
  const Wp = Math.max(W + padLeft, (outW - 1) * sw + (kw - 1) * dw + 1);
  const maskA = 2 ** attrs.bitsA - 1;
  const xr = new Int32Array(B * Hp * Wp * C);
  for (let b = 0, i = 0; b < B; b++)
    for (let y = 0; y < H; y++) {
      let o = ((b * Hp + y + padTop) * Wp + padLeft) * C;
      for (let n = W * C; n > 0; n--, i++, o++)
        xr[o] = (checkedCode(kernel, 'activation', xv[i], i, aMin, aMax) & maskA) << bitsW;
    }
  // Kernel rows as runs of contiguous taps: one run of kw C for dilation 1 in x, else kw runs of C.
  const runs = dw === 1 ? 1 : kw;
  const runLength = dw === 1 ? kw * C : C;
  const runStep = dw * C;
  const rowStep = dh * Wp * C;
  const pixelStep = sw * C;
  const groups = Math.ceil(F / LANES);
  const out = new Int32Array(B * outH * outW * F);
  if (F < LANES) {
    // Narrow outputs (depthwise convolutions' per-channel products): one sum at a time, no idle lanes.
    for (let b = 0, o = 0; b < B; b++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++) {
          const x0 = (b * Hp + oy * sh) * Wp * C + ox * pixelStep;
          for (let f = 0; f < F; f++, o++) {
            let sum = 0;
            let q = f;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < runs; j++) {
                const start = x0 + i * rowStep + j * runStep;
                const end = start + runLength;
                for (let t = start; t < end; t++, q += LANES) sum = (sum + table[xr[t] + wI[q]]) | 0;
              }
            out[o] = sum;
          }
        }
    return out;
  }
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < outH; oy++) {
      const rowStart = (b * Hp + oy * sh) * Wp * C;
      const outRow = (b * outH + oy) * outW * F;
      for (let ox = 0; ox < outW; ox += 2) {
        const two = ox + 1 < outW;
        const x0 = rowStart + ox * pixelStep;
        const x1 = two ? x0 + pixelStep : x0;
        for (let g = 0; g < groups; g++) {
          let s00 = 0;
          let s01 = 0;
          let s02 = 0;
          let s03 = 0;
          let s10 = 0;
          let s11 = 0;
          let s12 = 0;
          let s13 = 0;
          let q = g * P * LANES;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < runs; j++) {
              const start = i * rowStep + j * runStep;
              const end = start + runLength;
              for (let t = start; t < end; t++, q += LANES) {
                const r0 = xr[x0 + t];
                const r1 = xr[x1 + t];
                const p0 = wI[q];
                const p1 = wI[q + 1];
                const p2 = wI[q + 2];
                const p3 = wI[q + 3];
                s00 = (s00 + table[r0 + p0]) | 0;
                s01 = (s01 + table[r0 + p1]) | 0;
                s02 = (s02 + table[r0 + p2]) | 0;
                s03 = (s03 + table[r0 + p3]) | 0;
                s10 = (s10 + table[r1 + p0]) | 0;
                s11 = (s11 + table[r1 + p1]) | 0;
                s12 = (s12 + table[r1 + p2]) | 0;
                s13 = (s13 + table[r1 + p3]) | 0;
              }
            }
          const f0 = g * LANES;
          const o0 = outRow + ox * F + f0;
          const lanes = Math.min(LANES, F - f0);
          out[o0] = s00;
          if (lanes > 1) out[o0 + 1] = s01;
          if (lanes > 2) out[o0 + 2] = s02;
          if (lanes > 3) out[o0 + 3] = s03;
          if (two) {
            const o1 = o0 + F;
            out[o1] = s10;
            if (lanes > 1) out[o1 + 1] = s11;
            if (lanes > 2) out[o1 + 2] = s12;
            if (lanes > 3) out[o1 + 3] = s13;
          }
        }
      }
    }
  return out;
}
