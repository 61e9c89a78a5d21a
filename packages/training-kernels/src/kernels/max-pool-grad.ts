/**
 * MaxPoolGrad for the cpu backend as one JS pass: for each pooling window find the first
 * maximum (strictly greater wins, as the stock kernel does; padding is never a candidate) and add
 * the window's dy there. The stock cpu kernel gathers instead of scattering, visiting every
 * (input pixel, window) pair through `buffer.get`: 4.7 s for the two LeNet pools at batch 64.
 * wasm has its own fast MaxPoolGrad and keeps it.
 */
import * as tf from '@tensorflow/tfjs-core';

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

/** dx (NHWC, float32) of max pooling, from the pooled input `x` and the output gradient `dy`. */
export function maxPoolGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: oh, outWidth: ow } = g;
  const dx = new Float32Array(batch * H * W * C);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yMin = Math.max(0, y0);
      const yMax = Math.min(H, y0 + g.filterHeight);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xMin = Math.max(0, x0);
        const xMax = Math.min(W, x0 + g.filterWidth);
        const dyOff = ((b * oh + oy) * ow + ox) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let y = yMin; y < yMax; y++) {
            for (let xx = xMin; xx < xMax; xx++) {
              const i = ((b * H + y) * W + xx) * C + c;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += dy[dyOff + c];
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradCpuConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const b = backend as tf.KernelBackend;
    const dx = maxPoolGradLoop(b.readSync(input.dataId) as Float32Array, b.readSync(dy.dataId) as Float32Array, {
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
    });
    return (b as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(input.shape, 'float32', dx);
  },
};
