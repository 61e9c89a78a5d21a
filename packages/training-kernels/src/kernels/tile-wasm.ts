/**
 * Tile for wasm when the input is one row (`[1, ..., 1, C]`) and the last axis is not repeated:
 * the output is that row written `prod(reps)` times, done by doubling copies on the heap
 * (`copyWithin`, memmove speed). tfjs's batch-norm gradient tiles `1/sqrt(var)` this way to the
 * activation's shape (`[64, 24, 24, 32]` for WRPN 2x's conv1); the stock wasm kernel's
 * per-element index arithmetic took 94 ms of a 272 ms WRPN 2x training step. Every other tile
 * goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock-kernels.js';
import type { WasmBackendLike } from './wasm-heap.js';

/** Fills `out` with copies of its first `rowLength` values (which must already be written). */
export function repeatFirstRow(out: Float32Array, rowLength: number): void {
  let filled = rowLength;
  while (filled < out.length) {
    const n = Math.min(filled, out.length - filled);
    out.copyWithin(filled, 0, n);
    filled += n;
  }
}

export const tileWasmConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const stock = stockKernel(tf.Tile, 'wasm');
    if (!stock)
      throw new Error('Tile (lowbit, wasm): the stock kernel was not recorded; call registerTrainingKernels()');
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const rank = x.shape.length;
    const row = x.shape[rank - 1] ?? 0;
    const oneRow =
      rank >= 1 &&
      x.dtype === 'float32' &&
      reps.length === rank &&
      reps[rank - 1] === 1 &&
      row > 0 &&
      x.shape.slice(0, -1).every((d) => d === 1);
    if (!oneRow) return stock.kernelFunc(args);
    const b = args.backend as unknown as WasmBackendLike;
    const out = b.makeOutput(
      x.shape.map((d, i) => d * reps[i]),
      'float32',
    );
    const values = b.typedArrayFromHeap(out);
    if (values.length === 0) return out;
    values.set(b.typedArrayFromHeap(x));
    repeatFirstRow(values, row);
    return out;
  },
};
