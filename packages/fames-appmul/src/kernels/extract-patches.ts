/**
 * The `LowbitExtractPatches` kernel (im2col) and its gradient kernel `LowbitExtractPatchesGrad`,
 * for the backends whose data JS can read directly (cpu, wasm): one loop each, shared.
 * `x` `[B, H, W, C]` float32 -> `[B, Ho, Wo, kh kw C]`, patch channel `(i * kw + j) * C + c`;
 * positions outside the input (padding) hold 0. The gradient adds each patch entry back to the
 * pixel it was copied from (col2im). Other backends compose patches from pad / slice / concat
 * (see `extractPatches`), which is fast there but element by element on tfjs's cpu backend.
 */
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

export const EXTRACT_PATCHES = 'LowbitExtractPatches';
export const EXTRACT_PATCHES_GRAD = 'LowbitExtractPatchesGrad';

export interface ExtractPatchesAttrs {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Visits every (patch entry, source pixel) pair; `src` is -1 for padding. */
function forEachPatchEntry(B: number, H: number, W: number, C: number, attrs: ExtractPatchesAttrs, visit: (dst: number, src: number) => void): void {
  const { kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = attrs;
  const P = kh * kw * C;
  for (let b = 0; b < B; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    const dstBase = ((b * outH + oy) * outW + ox) * P;
    for (let i = 0; i < kh; i++) {
      const y = oy * strideH + i - padTop;
      for (let j = 0; j < kw; j++) {
        const x = ox * strideW + j - padLeft;
        const inside = y >= 0 && y < H && x >= 0 && x < W;
        const srcBase = ((b * H + y) * W + x) * C;
        const dst = dstBase + (i * kw + j) * C;
        for (let c = 0; c < C; c++) visit(dst + c, inside ? srcBase + c : -1);
      }
    }
  }
}

/** Forward loop: patches of `x` (`[B, H, W, C]`, flat). */
export function extractPatchesLoop(x: ArrayLike<number>, [B, H, W, C]: number[], attrs: ExtractPatchesAttrs): Float32Array {
  const out = new Float32Array(B * attrs.outH * attrs.outW * attrs.kh * attrs.kw * C);
  forEachPatchEntry(B, H, W, C, attrs, (dst, src) => {
    if (src >= 0) out[dst] = x[src];
  });
  return out;
}

/** Gradient loop: `dy` of the patches back onto `[B, H, W, C]`. */
export function extractPatchesGradLoop(dy: ArrayLike<number>, [B, H, W, C]: number[], attrs: ExtractPatchesAttrs): Float32Array {
  const dx = new Float32Array(B * H * W * C);
  forEachPatchEntry(B, H, W, C, attrs, (dst, src) => {
    if (src >= 0) dx[src] += dy[dst];
  });
  return dx;
}

interface JsReadableBackend {
  readSync?(dataId: unknown): ArrayLike<number>;
  data?: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  makeOutput?(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

function kernelFor(backendName: 'cpu' | 'wasm', grad: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as JsReadableBackend;
    const input = (grad ? inputs.dy : inputs.x) as TensorInfo;
    const a = attrs as unknown as ExtractPatchesAttrs & { xShape: number[] };
    const values = backendName === 'cpu' ? be.data!.get(input.dataId).values : be.readSync!(input.dataId);
    const xShape = grad ? a.xShape : input.shape;
    const out = grad ? extractPatchesGradLoop(values, xShape, a) : extractPatchesLoop(values, xShape, a);
    const shape = grad ? xShape : [xShape[0], a.outH, a.outW, a.kh * a.kw * xShape[3]];
    return backendName === 'cpu' ? be.makeTensorInfo!(shape, 'float32', out) : be.makeOutput!(shape, 'float32', undefined, out);
  };
}

export const extractPatchesKernelConfigs: KernelConfig[] = (['cpu', 'wasm'] as const).flatMap((backendName) => [
  { kernelName: EXTRACT_PATCHES, backendName, kernelFunc: kernelFor(backendName, false) },
  { kernelName: EXTRACT_PATCHES_GRAD, backendName, kernelFunc: kernelFor(backendName, true) },
]);

export const extractPatchesGradConfig: GradConfig = {
  kernelName: EXTRACT_PATCHES,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    return {
      x: () => tf.engine().runKernel(EXTRACT_PATCHES_GRAD, { dy: dy as Tensor }, { ...attrs, xShape: x.shape } as unknown as NamedAttrMap) as Tensor,
    };
  },
};
