/**
 * The `LowbitShiftConv2D` kernel: a 2-D convolution (NHWC input codes [B, H, W, Cin], filter codes
 * [fh, fw, Cin, Cout], dilation 1) computed with shifts and adds only, like
 * `kernels/shift-matmul.ts`. Zero padding is the code 0, which is the value 0 in every code kind.
 * The output is `acc * scale[cout]` rounded to float32 in the same steps as the composed fallback
 * (`ops/shift-conv2d.ts`).
 */
import type { ShiftOperandKind } from '../shift-operand.js';
import { decodeCodes, finishAccumulator, powersOfTwo, shiftedUnits } from './shift-matmul.js';

export const LowbitShiftConv2D = 'LowbitShiftConv2D';

export interface ShiftConv2DAttrs {
  xKind: ShiftOperandKind;
  filterKind: ShiftOperandKind;
  strides: [number, number];
  pad: 'valid' | 'same';
  /** Real value of one output unit: one entry, or one per output channel. */
  scale: number[];
  [key: string]: string | number[];
}

export interface ConvGeometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

/** Output size and leading padding, as tfjs computes them for 'valid' and 'same'. */
export function convGeometry(
  h: number,
  w: number,
  fh: number,
  fw: number,
  strides: readonly [number, number],
  pad: 'valid' | 'same',
): ConvGeometry {
  const [sh, sw] = strides;
  if (pad === 'valid') {
    return { outH: Math.ceil((h - fh + 1) / sh), outW: Math.ceil((w - fw + 1) / sw), padTop: 0, padLeft: 0 };
  }
  const outH = Math.ceil(h / sh);
  const outW = Math.ceil(w / sw);
  const padH = Math.max(0, (outH - 1) * sh + fh - h);
  const padW = Math.max(0, (outW - 1) * sw + fw - w);
  return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
}

export function shiftConv2DLoop(
  x: ArrayLike<number>,
  xShape: readonly number[],
  filter: ArrayLike<number>,
  filterShape: readonly number[],
  attrs: ShiftConv2DAttrs,
): { values: Float32Array; shape: [number, number, number, number] } {
  const [batch, h, w, cin] = xShape;
  const [fh, fw, , cout] = filterShape;
  const g = convGeometry(h, w, fh, fw, attrs.strides, attrs.pad);
  const [sh, sw] = attrs.strides;
  const xMul = new Float64Array(x.length);
  const xHalf = new Int32Array(x.length);
  const fMul = new Float64Array(filter.length);
  const fHalf = new Int32Array(filter.length);
  const maxX = decodeCodes(x, attrs.xKind, xMul, xHalf);
  const maxF = decodeCodes(filter, attrs.filterKind, fMul, fHalf);
  const pow = powersOfTwo((maxX + maxF) >> 1);
  const noSqrt2 = attrs.xKind !== 'pow2-sqrt2' && attrs.filterKind !== 'pow2-sqrt2';
  const fUnits = noSqrt2 ? shiftedUnits(fMul, fHalf, maxF) : null;
  const scale = attrs.scale.map((s) => Math.fround(s));
  const perChannel = scale.length > 1;
  const out = new Float32Array(batch * g.outH * g.outW * cout);
  const even = new Float64Array(cout);
  const odd = new Float64Array(cout);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        even.fill(0);
        odd.fill(0);
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * sh + fy - g.padTop;
          if (iy < 0 || iy >= h) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * sw + fx - g.padLeft;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * cin;
            const fBase = (fy * fw + fx) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const xv = xMul[xBase + ci];
              if (xv === 0) continue;
              const xt = xHalf[xBase + ci];
              const row = fBase + ci * cout;
              if (fUnits !== null) {
                // no sqrt 2: the input term shifted once, then exact integer multiply-adds
                const xu = xv * pow[xt >> 1];
                for (let co = 0; co < cout; co++) even[co] += xu * fUnits[row + co];
                continue;
              }
              for (let co = 0; co < cout; co++) {
                const fv = fMul[row + co];
                if (fv === 0) continue;
                const t = xt + fHalf[row + co];
                const term = xv * fv * pow[t >> 1];
                if (t & 1) odd[co] += term;
                else even[co] += term;
              }
            }
          }
        }
        for (let co = 0; co < cout; co++)
          out[o++] = finishAccumulator(even[co], odd[co], perChannel ? scale[co] : scale[0]);
      }
    }
  }
  return { values: out, shape: [batch, g.outH, g.outW, cout] };
}
