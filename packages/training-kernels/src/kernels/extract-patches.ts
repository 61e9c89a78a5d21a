/**
 * The `LowbitExtractPatches` kernel (im2col) and its gradient kernel `LowbitExtractPatchesGrad`:
 * `x` `[B, H, W, C]` float32 -> `[B, Ho, Wo, kh kw C]`, patch channel `(i * kw + j) * C + c` for
 * kernel row i, column j, input channel c (the row order of a conv kernel `[kh, kw, C, Cout]`
 * reshaped to `[kh kw C, Cout]`). Tap (i, j) of output pixel (oy, ox) reads input row
 * `oy * strideH + i * dilationH - padTop` and column `ox * strideW + j * dilationW - padLeft`;
 * positions outside the input (padding) hold 0. The gradient adds each patch entry back to the
 * pixel it was copied from (col2im).
 *
 * One loop each, shared by the backends whose data JS reads directly (configs in
 * `extract-patches-cpu.ts`, `extract-patches-wasm.ts`, registered by `registerExtractPatches`).
 * Other backends compose patches from tf ops (fast there, but element by element on tfjs's cpu
 * backend, which is why the kernel exists).
 *
 * ```ts
 * const attrs = { kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, outH: 28, outW: 28 };
 * tf.engine().runKernel(EXTRACT_PATCHES, { x }, attrs); // [B, 28, 28, 9 C]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

export const EXTRACT_PATCHES = 'LowbitExtractPatches';
export const EXTRACT_PATCHES_GRAD = 'LowbitExtractPatchesGrad';

export interface ExtractPatchesAttrs {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  /** Dilation of the taps (default 1). */
  dilationH?: number;
  dilationW?: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Visits every (patch entry, source pixel) pair; `src` is -1 for padding. */
function forEachPatchEntry(
  [B, H, W, C]: readonly number[],
  attrs: ExtractPatchesAttrs,
  visit: (dst: number, src: number) => void,
): void {
  const { kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = attrs;
  const dh = attrs.dilationH ?? 1;
  const dw = attrs.dilationW ?? 1;
  const P = kh * kw * C;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const dstBase = ((b * outH + oy) * outW + ox) * P;
        for (let i = 0; i < kh; i++) {
          const y = oy * strideH + i * dh - padTop;
          for (let j = 0; j < kw; j++) {
            const x = ox * strideW + j * dw - padLeft;
            const inside = y >= 0 && y < H && x >= 0 && x < W;
            const srcBase = ((b * H + y) * W + x) * C;
            const dst = dstBase + (i * kw + j) * C;
            for (let c = 0; c < C; c++) visit(dst + c, inside ? srcBase + c : -1);
          }
        }
      }
    }
  }
}

/** Forward loop: patches of `x` (`[B, H, W, C]`, flat). */
export function extractPatchesLoop(
  x: ArrayLike<number>,
  xShape: readonly number[],
  attrs: ExtractPatchesAttrs,
): Float32Array {
  const out = new Float32Array(xShape[0]! * attrs.outH * attrs.outW * attrs.kh * attrs.kw * xShape[3]!);
  forEachPatchEntry(xShape, attrs, (dst, src) => {
    if (src >= 0) out[dst] = x[src]!;
  });
  return out;
}

/** Gradient loop: `dy` of the patches back onto `[B, H, W, C]`. */
export function extractPatchesGradLoop(
  dy: ArrayLike<number>,
  xShape: readonly number[],
  attrs: ExtractPatchesAttrs,
): Float32Array {
  const dx = new Float32Array(xShape[0]! * xShape[1]! * xShape[2]! * xShape[3]!);
  forEachPatchEntry(xShape, attrs, (dst, src) => {
    if (src >= 0) dx[src] += dy[dst]!;
  });
  return dx;
}

/** How a JS-loop backend reads an input and makes an output (the cpu and wasm configs differ only here). */
export interface PatchesBackendIo {
  read(backend: unknown, info: TensorInfo): ArrayLike<number>;
  write(backend: unknown, shape: number[], values: Float32Array): TensorInfo;
}

/** The forward (`grad: false`) or gradient kernel function over a backend's IO. */
export function extractPatchesKernelFunc(io: PatchesBackendIo, grad: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ExtractPatchesAttrs & { xShape: number[] };
    const input = (grad ? inputs.dy : inputs.x) as TensorInfo;
    const values = io.read(backend, input);
    if (grad) return io.write(backend, a.xShape, extractPatchesGradLoop(values, a.xShape, a));
    const shape = [input.shape[0]!, a.outH, a.outW, a.kh * a.kw * input.shape[3]!];
    return io.write(backend, shape, extractPatchesLoop(values, input.shape, a));
  };
}

/** The gradient of `LowbitExtractPatches`: the `LowbitExtractPatchesGrad` kernel (col2im). */
export const extractPatchesGradConfig: GradConfig = {
  kernelName: EXTRACT_PATCHES,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const gradAttrs = { ...attrs, xShape: x!.shape } as unknown as NamedAttrMap;
    return { x: () => tf.engine().runKernel(EXTRACT_PATCHES_GRAD, { dy: dy as Tensor }, gradAttrs) as Tensor };
  },
};
