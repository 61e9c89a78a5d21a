/**
 * Sum for wasm: a float32 sum over every axis but the last (the bias gradient of a conv or dense
 * layer: `[64, 24, 24, 32]` -> `[32]` for LeNet's conv1) with a last axis of 4k values runs as
 * one pass of the wasm SIMD `colSum` on the heap. The stock kernel first transposes the input so
 * the reduced axes come last (1.18M values moved for LeNet's conv1: 4.2 ms of CPU in a step).
 * Every other sum goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock-kernels.js';
import { heapOffset, type WasmBackendLike } from './wasm-heap.js';
import { simdHelpers } from './simd-helpers.js';

export const sumWasmConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const stock = stockKernel(tf.Sum, 'wasm');
    if (!stock)
      throw new Error('Sum (lowbit, wasm): the stock kernel was not recorded; call registerTrainingKernels()');
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const leading = rank >= 2 && axes.length === rank - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    const last = x.shape[rank - 1] ?? 0;
    const simd = leading && x.dtype === 'float32' && last % 4 === 0 && last > 0 ? simdHelpers(args.backend) : null;
    if (simd === null) return stock.kernelFunc(args);
    const b = args.backend as unknown as WasmBackendLike;
    const shape = keepDims ? [...new Array<number>(rank - 1).fill(1), last] : [last];
    const out = b.makeOutput(shape, 'float32');
    b.typedArrayFromHeap(out).fill(0);
    const rows = tf.util.sizeFromShape(x.shape) / last;
    simd.colSum(heapOffset(args.backend, x), heapOffset(args.backend, out), rows, 4 * last);
    return out;
  },
};
