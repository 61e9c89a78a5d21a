/**
 * BatchMatMul for wasm: when a transpose is asked for, transpose explicitly (the wasm Transpose
 * kernel) and hand the plain product to the stock kernel. The stock kernel's own transposed path
 * is about 10x slower than its plain one (measured: [4096x800]^T x [4096x64] 267 ms against
 * 26 ms + a transpose), and training asks for transposes in every dense and conv backward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock-kernels.js';

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const stock = stockKernel(tf.BatchMatMul, 'wasm');
    if (!stock) throw new Error('BatchMatMul (lowbit, wasm): the stock kernel was not recorded; call registerTrainingKernels()');
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock.kernelFunc(args);
    const { a, b } = args.inputs as { a: tf.Tensor; b: tf.Tensor };
    const flip = (t: tf.Tensor) => {
      const perm = t.shape.map((_, i) => i);
      perm.splice(-2, 2, t.rank - 1, t.rank - 2);
      return tf.transpose(t, perm);
    };
    const at = transposeA ? flip(a) : a;
    const bt = transposeB ? flip(b) : b;
    try {
      return stock.kernelFunc({ ...args, inputs: { a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (at !== a) at.dispose();
      if (bt !== b) bt.dispose();
    }
  },
};
