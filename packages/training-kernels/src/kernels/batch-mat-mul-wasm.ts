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
 * And a plain 2-D `a x b` with `b` at least 4x bigger than `a` (a dense layer's forward pass) runs
 * as 4 x 8 tiles of a wasm SIMD GEMM that reads b in place (`gemm4x8Fn`): 5 ms against 8-11 ms
 * for the LeNet dense layer with its weights new each step (2.4 ms only when XNNPACK has them
 * packed already, which a training step never does).
 */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock-kernels.js';
import { heapOffset, type WasmBackendLike } from './wasm-heap.js';
import { gemm4x8Fn } from './simd-helpers.js';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** `a x b` by the SIMD GEMM when it applies (2-D, 4 | rows, 8 | columns, b >= 4x a), else null. */
function plainProduct(args: Parameters<tf.KernelFunc>[0], a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | null {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const [M, K] = a.shape;
  const N = b.shape[1];
  if (M % 4 !== 0 || N % 8 !== 0 || K === 0 || size(b.shape) < 4 * size(a.shape)) return null;
  const gemm = gemm4x8Fn(args.backend);
  if (gemm === null) return null;
  const out = (args.backend as unknown as WasmBackendLike).makeOutput([M, N], 'float32');
  const [aAt, bAt, cAt] = [heapOffset(args.backend, a), heapOffset(args.backend, b), heapOffset(args.backend, out)];
  // column blocks outside: one block of b (k x 8) stays in cache for every row block
  for (let j = 0; j < N; j += 8) {
    for (let i = 0; i < M; i += 4) gemm(aAt + 4 * i * K, bAt + 4 * j, cAt + 4 * (i * N + j), K, 4 * K, 4 * N, 4 * N);
  }
  return out;
}

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const stock = stockKernel(tf.BatchMatMul, 'wasm');
    if (!stock)
      throw new Error('BatchMatMul (lowbit, wasm): the stock kernel was not recorded; call registerTrainingKernels()');
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const { a, b } = args.inputs as { a: tf.Tensor; b: tf.Tensor };
    if (!transposeA && !transposeB) return plainProduct(args, a, b) ?? stock.kernelFunc(args);
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
