/**
 * MaxPoolGrad for the cpu backend as one JS pass: for each pooling window find the first
 * maximum (strictly greater wins, as the stock kernel does; padding is never a candidate) and add
 * the window's dy there. The stock cpu kernel gathers instead of scattering, visiting every
 * (input pixel, window) pair through `buffer.get`: 4.7 s for the two LeNet pools at batch 64.
 * The wasm config runs the same pass on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkExtent, checkInt, checkKeys, checkOutputs, checkValues } from '../check.js';
import { simdHelpers } from './simd-helpers.js';
import { heapOffset, type WasmBackendLike } from './wasm-heap.js';

export interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Adds the max-pooling gradient into `dx` (NHWC, float32, zeroed by the caller), from the pooled
 * input `x` and the output gradient `dy`. Per window, the channels are scanned together
 * (contiguous reads): the first maximum in row-major window order wins, strictly greater only.
 */
function maxPoolGradInto(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array, g: PoolGeometry): void {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: oh, outWidth: ow } = g;
  const twoByTwo = g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2;
  if (twoByTwo && g.padTop === 0 && g.padLeft === 0 && 2 * oh <= H && 2 * ow <= W) {
    maxPool2x2GradInto(x, dy, dx, batch, H, W, C, oh, ow);
    return;
  }
  const best = new Float64Array(C);
  const at = new Int32Array(C);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yMin = Math.max(0, y0);
      const yMax = Math.min(H, y0 + g.filterHeight);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xMin = Math.max(0, x0);
        const xMax = Math.min(W, x0 + g.filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let y = yMin; y < yMax; y++) {
          for (let xx = xMin; xx < xMax; xx++) {
            const base = ((b * H + y) * W + xx) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        const dyOff = ((b * oh + oy) * ow + ox) * C;
        for (let c = 0; c < C; c++) if (at[c] >= 0) dx[at[c]] += dy[dyOff + c];
      }
    }
  }
}

/** The common case, 2x2 windows with stride 2 and no padding: four reads per output, no scratch. */
function maxPool2x2GradInto(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dx: Float32Array,
  B: number,
  H: number,
  W: number,
  C: number,
  oh: number,
  ow: number,
): void {
  const rowStride = W * C;
  let d = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < oh; oy++) {
      let base = (b * H + 2 * oy) * rowStride;
      for (let ox = 0; ox < ow; ox++, base += 2 * C) {
        for (let c = 0; c < C; c++, d++) {
          const i0 = base + c;
          const i1 = i0 + C;
          const i2 = i0 + rowStride;
          const i3 = i2 + C;
          let at = i0;
          let best = x[i0];
          if (x[i1] > best) {
            best = x[i1];
            at = i1;
          }
          if (x[i2] > best) {
            best = x[i2];
            at = i2;
          }
          if (x[i3] > best) at = i3;
          dx[at] += dy[d];
        }
      }
    }
  }
}

const POOL_KEYS = [
  'batch',
  'inHeight',
  'inWidth',
  'channels',
  'outHeight',
  'outWidth',
  'filterHeight',
  'filterWidth',
  'strideHeight',
  'strideWidth',
  'padTop',
  'padLeft',
] as const;

function checkPoolGeometry(argument: string, value: unknown): PoolGeometry {
  const g = checkKeys(argument, value, POOL_KEYS);
  for (const k of POOL_KEYS) checkInt(`${argument}.${k}`, g[k], /^(filter|stride|out)/.test(k) ? 1 : 0);
  const p = g as unknown as PoolGeometry;
  checkExtent(argument, 'Height', p.inHeight, p.filterHeight, 1, p.padTop);
  checkExtent(argument, 'Width', p.inWidth, p.filterWidth, 1, p.padLeft);
  checkOutputs(argument, 'outHeight', p.outHeight, p.strideHeight, p.padTop, p.inHeight);
  checkOutputs(argument, 'outWidth', p.outWidth, p.strideWidth, p.padLeft, p.inWidth);
  return p;
}

/**
 * dx (NHWC, float32) of max pooling, from the pooled input `x` [batch, inHeight, inWidth,
 * channels] and the output gradient `dy` [batch, outHeight, outWidth, channels]. A geometry that
 * does not fit the arrays throws LowbitConfigError.
 *
 * ```ts
 * const dx = maxPoolGradLoop(xValues, dyValues, { batch: 1, inHeight: 4, inWidth: 4, channels: 1, outHeight: 2,
 *   outWidth: 2, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 });
 * ```
 */
export function maxPoolGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const fn = 'maxPoolGradLoop';
  const geo = checkPoolGeometry(`${fn}(g)`, g);
  checkValues(`${fn}(x)`, x, geo.batch * geo.inHeight * geo.inWidth * geo.channels);
  checkValues(`${fn}(dy)`, dy, geo.batch * geo.outHeight * geo.outWidth * geo.channels);
  return poolGradLoop(x, dy, geo);
}

function poolGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels);
  maxPoolGradInto(x, dy, dx, g);
  return dx;
}

function poolGeometry(input: tf.TensorInfo, attrs: tf.MaxPoolGradAttrs): PoolGeometry {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

export const maxPoolGradCpuConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const g = poolGeometry(input, attrs as unknown as tf.MaxPoolGradAttrs);
    const b = backend as tf.KernelBackend;
    const dx = poolGradLoop(b.readSync(input.dataId) as Float32Array, b.readSync(dy.dataId) as Float32Array, g);
    return (b as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
      input.shape,
      'float32',
      dx,
    );
  },
};

/**
 * MaxPoolGrad for wasm: the same pass, reading and writing the wasm heap in place (2x2/stride-2
 * windows with channels a multiple of 4 in the wasm SIMD helper, a row of windows per call). The stock
 * wasm kernel took 33 ms for the first LeNet pool at batch 64 (15% of a step); this one 3-4 ms.
 */
export const maxPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const g = poolGeometry(input, attrs as unknown as tf.MaxPoolGradAttrs);
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput(input.shape, 'float32');
    // views after the allocation: a heap that grew invalidates earlier ones
    const dx = b.typedArrayFromHeap(out);
    const simd = simdHelpers(backend);
    const twoByTwo = g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2;
    const fits = g.padTop === 0 && g.padLeft === 0 && 2 * g.outHeight <= g.inHeight && 2 * g.outWidth <= g.inWidth;
    if (simd && twoByTwo && fits && g.channels % 4 === 0) {
      // every window position is written; only rows/columns outside all windows need zeros
      if (2 * g.outHeight !== g.inHeight || 2 * g.outWidth !== g.inWidth) dx.fill(0);
      const [xAt, dyAt, dxAt] = [heapOffset(backend, input), heapOffset(backend, dy), heapOffset(backend, out)];
      const rowBytes = 4 * g.inWidth * g.channels;
      const dyRowBytes = 4 * g.outWidth * g.channels;
      for (let n = 0; n < g.batch; n++) {
        for (let oy = 0; oy < g.outHeight; oy++) {
          const r0 = (n * g.inHeight + 2 * oy) * rowBytes;
          const dyRow = dyAt + (n * g.outHeight + oy) * dyRowBytes;
          simd.pool2x2Row(
            xAt + r0,
            xAt + r0 + rowBytes,
            dyRow,
            dxAt + r0,
            dxAt + r0 + rowBytes,
            g.outWidth,
            g.channels,
          );
        }
      }
      return out;
    }
    dx.fill(0);
    maxPoolGradInto(b.typedArrayFromHeap(input), b.typedArrayFromHeap(dy), dx, g);
    return out;
  },
};
