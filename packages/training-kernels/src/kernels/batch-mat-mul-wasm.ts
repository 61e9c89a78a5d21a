/**
 * BatchMatMul for wasm: when a transpose is asked for, transpose explicitly (the wasm Transpose
 * kernel) and hand the plain product to the stock kernel. The stock kernel's own transposed path
 * is about 10x slower than its plain one (measured: [4096x800]^T x [4096x64] 267 ms against
 * 26 ms + a transpose), and training asks for transposes in every dense and conv backward pass.
 *
 * The stock plain product (XNNPACK's fully-connected operator) repacks its right operand on every
 * call (about 12 ns per element on our machine: 6 ms for a 1024x512 weight matrix), so for
 * `a x b^T` with a right operand larger than the left one (a dense layer's input gradient
 * `dy [64, 512] x W^T`, W [1024, 512]) it computes `(b x a^T)^T` instead: W is read as it is,
 * the small `dy^T` is packed, and the product, small too, is transposed back. Measured on the
 * LeNet dense layer: 3.4 ms of transpose + 6 ms of packing W^T became 1 ms of small transposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock-kernels.js';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const stock = stockKernel(tf.BatchMatMul, 'wasm');
    if (!stock)
      throw new Error('BatchMatMul (lowbit, wasm): the stock kernel was not recorded; call registerTrainingKernels()');
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock.kernelFunc(args);
    const { a, b } = args.inputs as { a: tf.Tensor; b: tf.Tensor };
    const flip = (t: tf.Tensor) => {
      const perm = t.shape.map((_, i) => i);
      perm.splice(-2, 2, t.rank - 1, t.rank - 2);
      return tf.transpose(t, perm);
    };
    const plain = (x: tf.Tensor, y: tf.Tensor) =>
      stock.kernelFunc({
        ...args,
        inputs: { a: x, b: y },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
    // (b x a^T)^T: only for plain 2-D a x b^T, where b is the bigger operand
    if (!transposeA && transposeB && a.rank === 2 && b.rank === 2 && size(b.shape) > 2 * size(a.shape)) {
      const at = flip(a);
      try {
        const ct = tf.engine().makeTensorFromTensorInfo(plain(b, at), args.backend as tf.KernelBackend);
        const c = flip(ct);
        ct.dispose();
        return c;
      } finally {
        at.dispose();
      }
    }
    const at = transposeA ? flip(a) : a;
    const bt = transposeB ? flip(b) : b;
    try {
      return plain(at, bt);
    } finally {
      if (at !== a) at.dispose();
      if (bt !== b) bt.dispose();
    }
  },
};
