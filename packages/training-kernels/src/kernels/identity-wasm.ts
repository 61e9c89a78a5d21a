/**
 * Identity for wasm without a copy: the output shares the input's heap buffer, one more
 * reference on it (as the cpu backend's Identity does). The stock wasm kernel copies the data;
 * a LeNet training step runs 44 of them (tape bookkeeping, gradient clones), 1.2 MB each for the
 * first layer's activations. tfjs tensors are immutable and no wasm kernel writes into an input,
 * so sharing is safe.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmDataMap {
  dataIdMap: { get(dataId: object): { refCount: number } | undefined };
}

export const identityWasmConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = (inputs as { x: tf.TensorInfo }).x;
    const entry = (backend as unknown as WasmDataMap).dataIdMap.get(x.dataId);
    if (entry === undefined || x.dtype === 'string') {
      // never happens for tensors of this backend; keep the stock behaviour for strings
      return tf.tensor(tf.engine().readSync(x.dataId) as never, x.shape, x.dtype);
    }
    entry.refCount++;
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
