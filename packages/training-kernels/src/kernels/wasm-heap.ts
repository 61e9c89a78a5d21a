/**
 * The few members of tfjs's wasm backend that the heap kernels use, typed structurally (this
 * package does not import @tensorflow/tfjs-backend-wasm). Package-internal.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** Byte offset of a wasm tensor's data in the heap. */
export function heapOffset(backend: unknown, t: tf.TensorInfo): number {
  const map = (backend as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap;
  const entry = map.get(t.dataId);
  if (!entry) throw new Error('lowbit training kernels: not a tensor of the wasm backend');
  return entry.memoryOffset;
}
