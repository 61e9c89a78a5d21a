/**
 * Conv2DBackpropFilter for wasm. A stride-1, undilated, unpadded ('valid') layer with at most 4
 * input channels, 8k output channels and at most 6 taps per filter row (a first conv layer on
 * grey or RGB images, LeNet's conv1) goes through a wasm SIMD loop that reads x and dy in place
 * (`filterRowFn` in simd-helpers.ts): dW is small there (25 x 32 for LeNet) but the reduction is
 * long (36,864 terms), and the general path, a forward conv2d with dy as the filter, has XNNPACK
 * repack that 1.18M-value dy on every call (measured 12-15 ms of the 3 ms it computes). Every
 * other layer takes the general path (`conv2dBackpropFilterComposed`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasmComposedConfig } from './conv2d-backprop-filter.js';
import { heapOffset, type WasmBackendLike } from './wasm-heap.js';
import { geometry } from './patches.js';
import { filterRowFn } from './simd-helpers.js';

interface WasmBackendWithDispose extends WasmBackendLike {
  disposeData(dataId: object): boolean;
}

export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const general = () => conv2dBackpropFilterWasmComposedConfig.kernelFunc(args);
    if (a.dataFormat === 'NCHW') return general();
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    const g = geometry(info);
    const [fh, fw, ci, co] = a.filterShape;
    const plain = g.strideHeight === 1 && g.strideWidth === 1 && g.dilationHeight === 1 && g.dilationWidth === 1;
    const valid =
      g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight - fh + 1 && g.outWidth === g.inWidth - fw + 1;
    const row = plain && valid && ci <= 4 && co % 8 === 0 && fw <= 6 ? filterRowFn(backend, fw, ci) : null;
    if (row === null) return general();
    const b = backend as unknown as WasmBackendWithDispose;
    const out = b.makeOutput([fh, fw, ci, co], 'float32');
    const scratch = b.makeOutput([fw * 8], 'float32');
    const [xAt, dyAt, accAt] = [heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, scratch)];
    const { batch, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow } = g;
    // views after the allocations: a heap that grew invalidates earlier ones
    const dw = b.typedArrayFromHeap(out);
    const acc = b.typedArrayFromHeap(scratch);
    for (let i = 0; i < fh; i++) {
      for (let c = 0; c < ci; c++) {
        for (let k = 0; k < co; k += 8) {
          acc.fill(0);
          for (let n = 0; n < batch; n++) {
            for (let y = 0; y < oh; y++) {
              const xRow = xAt + 4 * ((n * H + y + i) * W * ci + c);
              const dyRow = dyAt + 4 * ((n * oh + y) * ow * co + k);
              row(xRow, dyRow, accAt, ow, 4 * co);
            }
          }
          for (let j = 0; j < fw; j++)
            for (let l = 0; l < 8; l++) dw[((i * fw + j) * ci + c) * co + k + l] = acc[j * 8 + l];
        }
      }
    }
    b.disposeData(scratch.dataId);
    return out;
  },
};
