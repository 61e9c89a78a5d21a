/**
 * Conv2DBackpropInput for wasm as one GEMM and a col2im pass: the columns
 * `dy [b*oh*ow, co] x W^T [co, fh*fw*ci]` (the stock wasm matMul, XNNPACK) hold each output
 * pixel's contribution to the input window it saw; col2im adds them into dx on the wasm heap.
 * The col2im adds run in a small wasm SIMD loop on the heap (`simd-helpers.ts`; JS where that
 * cannot start). No multiply-add is spent on zeros, where the full correlation (`conv2dBackpropInputComposed`)
 * convolves a zero-padded, stride-spread dy: measured for the LeNet 5x5 layer at batch 64,
 * 50 ms against 20-25 ms (2.25x fewer multiply-adds).
 */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, shapeToNhwc } from './composed-kernel.js';
import { geometry, type Geometry } from './patches.js';
import { heapOffset, type WasmBackendLike } from './wasm-heap.js';
import { simdHelpers, type SimdHelpers } from './simd-helpers.js';

/**
 * Adds the columns `cols [b*oh*ow, fh*fw*ci]` into `dx` ([b, H, W, ci], NHWC, zeroed by the
 * caller): the entry of output pixel (n, y, x) and tap (i, j) goes to input row
 * `y*sh + i*dh - padTop`, column `x*sw + j*dw - padLeft` when that lies inside the input.
 */
export function col2imInto(cols: ArrayLike<number>, dx: Float32Array, g: Geometry): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow } = g;
  const { filterHeight: fh, filterWidth: fw } = g;
  const K = fh * fw * C;
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const row = ((n * oh + y) * ow + x) * K;
        for (let i = 0; i < fh; i++) {
          const iy = y * g.strideHeight + i * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < fw; j++) {
            const ix = x * g.strideWidth + j * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= W) continue;
            const to = ((n * H + iy) * W + ix) * C;
            const from = row + (i * fw + j) * C;
            for (let c = 0; c < C; c++) dx[to + c] += cols[from + c];
          }
        }
      }
    }
  }
}

/**
 * {@link col2imInto} with the adds done by the wasm SIMD helper, in place on the heap: one call
 * per (output pixel, filter row), adding the run of in-range taps of that row (contiguous in dx
 * and in the columns: Conv2DBackpropInput has no dilation).
 */
export function col2imSimd(h: SimdHelpers, colsAt: number, dxAt: number, g: Geometry): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow } = g;
  const { filterHeight: fh, filterWidth: fw } = g;
  if (g.dilationWidth !== 1) throw new Error('col2imSimd: dilation along the width must be 1');
  const K = fh * fw * C;
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const row = ((n * oh + y) * ow + x) * K;
        const x0 = x * g.strideWidth - g.padLeft;
        const j0 = Math.max(0, -x0);
        const j1 = Math.min(fw, W - x0);
        if (j1 <= j0) continue;
        for (let i = 0; i < fh; i++) {
          const iy = y * g.strideHeight + i * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= H) continue;
          h.add(dxAt + 4 * ((n * H + iy) * W + x0 + j0) * C, colsAt + 4 * (row + (i * fw + j0) * C), (j1 - j0) * C);
        }
      }
    }
  }
}

export const conv2dBackpropInputGemmWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const kb = backend as tf.KernelBackend;
    const wasm = backend as unknown as WasmBackendLike;
    const dyIn = asTensor((inputs as { dy: tf.TensorInfo }).dy, kb);
    const filterIn = asTensor((inputs as { filter: tf.TensorInfo }).filter, kb);
    try {
      const filter = filterIn.tensor as tf.Tensor4D;
      const xShape = shapeToNhwc(inputShape, dataFormat);
      const info = tf.backend_util.computeConv2DInfo(
        xShape,
        filter.shape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        'channelsLast',
      );
      const g = geometry(info);
      const [fh, fw, ci, co] = filter.shape;
      const cols = tf.tidy(() => {
        const dy = dataFormat === 'NCHW' ? tf.transpose(dyIn.tensor, [0, 2, 3, 1]) : dyIn.tensor;
        return tf.matMul(
          tf.reshape(dy, [g.batch * g.outHeight * g.outWidth, co]),
          tf.reshape(filter, [fh * fw * ci, co]),
          false,
          true,
        );
      });
      const out = wasm.makeOutput(xShape, 'float32');
      // views after the allocation: a heap that grew invalidates earlier ones
      const dx = wasm.typedArrayFromHeap(out);
      dx.fill(0);
      const simd = simdHelpers(backend);
      if (simd && g.dilationWidth === 1) col2imSimd(simd, heapOffset(backend, cols), heapOffset(backend, out), g);
      else col2imInto(wasm.typedArrayFromHeap(cols), dx, g);
      cols.dispose();
      if (dataFormat !== 'NCHW') return out;
      const nhwc = tf.engine().makeTensorFromTensorInfo(out, kb);
      const nchw = tf.transpose(nhwc, [0, 3, 1, 2]);
      nhwc.dispose();
      return nchw;
    } finally {
      if (dyIn.owned) dyIn.tensor.dispose();
      if (filterIn.owned) filterIn.tensor.dispose();
    }
  },
};
