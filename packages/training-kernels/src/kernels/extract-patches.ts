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
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { checkExtent, checkFunction, checkInt, checkKeys, checkOutputs, checkShape, checkValues } from '../check.js';

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

const ATTR_KEYS = ['kh', 'kw', 'strideH', 'strideW', 'dilationH', 'dilationW', 'padTop', 'padLeft', 'outH', 'outW'];

/**
 * Checks patch attrs against the input shape `[B, H, W, C]` (taps and outputs must reach the
 * input, see `checkExtent`); `extraKeys` are let through (the gradient kernel's `xShape`).
 */
function checkPatchesAttrs(fn: string, xShape: readonly number[], attrs: unknown, extraKeys: string[] = []) {
  const a = checkKeys(`${fn}(attrs)`, attrs, [...ATTR_KEYS, ...extraKeys]);
  for (const k of ATTR_KEYS) {
    if ((k === 'dilationH' || k === 'dilationW') && a[k] === undefined) continue;
    checkInt(`${fn}(attrs).${k}`, a[k], k.startsWith('pad') ? 0 : 1);
  }
  const p = a as unknown as ExtractPatchesAttrs;
  const [, H, W] = xShape as number[];
  checkExtent(`${fn}(attrs)`, 'Height', H!, p.kh, p.dilationH ?? 1, p.padTop);
  checkExtent(`${fn}(attrs)`, 'Width', W!, p.kw, p.dilationW ?? 1, p.padLeft);
  checkOutputs(`${fn}(attrs)`, 'outH', p.outH, p.strideH, p.padTop, H!);
  checkOutputs(`${fn}(attrs)`, 'outW', p.outW, p.strideW, p.padLeft, W!);
  return p;
}

/**
 * Forward loop: patches of `x` (`[B, H, W, C]`, flat) as `[B, outH, outW, kh kw C]`. Values that
 * do not fit `xShape`, or attrs whose taps or outputs miss the input, throw LowbitConfigError.
 *
 * ```ts
 * extractPatchesLoop(x, [1, 4, 4, 1], { kh: 2, kw: 2, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 2, outW: 2 });
 * ```
 */
export function extractPatchesLoop(
  x: ArrayLike<number>,
  xShape: readonly number[],
  attrs: ExtractPatchesAttrs,
): Float32Array {
  const fn = 'extractPatchesLoop';
  const [B, H, W, C] = checkShape(`${fn}(xShape)`, xShape, 4);
  const a = checkPatchesAttrs(fn, xShape, attrs);
  checkValues(`${fn}(x)`, x, B! * H! * W! * C!);
  return patchesLoop(x, xShape, a);
}

function patchesLoop(x: ArrayLike<number>, xShape: readonly number[], attrs: ExtractPatchesAttrs): Float32Array {
  const out = new Float32Array(xShape[0]! * attrs.outH * attrs.outW * attrs.kh * attrs.kw * xShape[3]!);
  forEachPatchEntry(xShape, attrs, (dst, src) => {
    if (src >= 0) out[dst] = x[src]!;
  });
  return out;
}

/**
 * Gradient loop: `dy` of the patches (`[B, outH, outW, kh kw C]`, flat) back onto `[B, H, W, C]`.
 * Bad shapes or attrs throw LowbitConfigError, as for {@link extractPatchesLoop}.
 *
 * ```ts
 * extractPatchesGradLoop(dy, [1, 4, 4, 1], { kh: 2, kw: 2, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 2, outW: 2 });
 * ```
 */
export function extractPatchesGradLoop(
  dy: ArrayLike<number>,
  xShape: readonly number[],
  attrs: ExtractPatchesAttrs,
): Float32Array {
  const fn = 'extractPatchesGradLoop';
  const [B, , , C] = checkShape(`${fn}(xShape)`, xShape, 4);
  const a = checkPatchesAttrs(fn, xShape, attrs);
  checkValues(`${fn}(dy)`, dy, B! * a.outH * a.outW * a.kh * a.kw * C!);
  return patchesGradLoop(dy, xShape, a);
}

function patchesGradLoop(dy: ArrayLike<number>, xShape: readonly number[], attrs: ExtractPatchesAttrs): Float32Array {
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

/**
 * The forward (`grad: false`) or gradient kernel function over a backend's IO. The kernel checks
 * its input (float32, rank 4; the gradient's `dy` of the patch shape) and attrs, since
 * `runKernel(EXTRACT_PATCHES, ...)` has no tfjs op in front of it to do so: bad ones throw
 * LowbitConfigError.
 *
 * ```ts
 * const config = { kernelName: EXTRACT_PATCHES, backendName: 'cpu', kernelFunc: extractPatchesKernelFunc(cpuIo, false) };
 * ```
 */
export function extractPatchesKernelFunc(io: PatchesBackendIo, grad: boolean): KernelFunc {
  checkKeys('extractPatchesKernelFunc(io)', io, ['read', 'write']);
  checkFunction('extractPatchesKernelFunc(io).read', io.read);
  checkFunction('extractPatchesKernelFunc(io).write', io.write);
  if (typeof grad !== 'boolean')
    throw new LowbitConfigError('extractPatchesKernelFunc(grad)', grad, 'expected true or false');
  const fn = grad ? EXTRACT_PATCHES_GRAD : EXTRACT_PATCHES;
  return (args) => {
    if (args === null || typeof args !== 'object')
      throw new LowbitConfigError(`${fn}(args)`, args, 'expected tfjs kernel arguments { inputs, backend, attrs }');
    const { inputs, backend, attrs } = args;
    const input = (grad ? inputs?.dy : inputs?.x) as TensorInfo | undefined;
    const inputName = `${fn}(${grad ? 'dy' : 'x'})`;
    if (
      input === undefined ||
      input === null ||
      !Array.isArray(input.shape) ||
      input.dtype !== 'float32' ||
      input.shape.length !== 4
    ) {
      throw new LowbitConfigError(inputName, input, 'expected a rank-4 float32 tensor');
    }
    const xShape = grad
      ? checkShape(`${fn}(attrs).xShape`, (attrs as { xShape?: unknown } | undefined)?.xShape, 4)
      : input.shape;
    const a = checkPatchesAttrs(fn, xShape, attrs, grad ? ['xShape'] : []);
    const patchShape = [xShape[0]!, a.outH, a.outW, a.kh * a.kw * xShape[3]!];
    if (grad && input.shape.some((d, i) => d !== patchShape[i])) {
      throw new LowbitConfigError(
        inputName,
        input,
        `expected shape [${patchShape.join(', ')}], got [${input.shape.join(', ')}]`,
      );
    }
    const values = io.read(backend, input);
    if (grad) return io.write(backend, xShape, patchesGradLoop(values, xShape, a));
    return io.write(backend, patchShape, patchesLoop(values, xShape, a));
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
