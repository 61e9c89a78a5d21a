/**
 * Turns a function of tf ops into a tfjs `KernelConfig` for one backend.
 *
 * The engine runs a kernel with `kernelDepth > 0`, so the ops called inside are not recorded on
 * the gradient tape; they run on the kernel's own backend (the active one) and every
 * intermediate is disposed by the `tidy`. Inputs are never disposed (on wasm that would free the
 * caller's data): ops pass real `Tensor`s, and a bare `TensorInfo` gets a reference-counted
 * wrapper that is released afterwards.
 *
 * ```ts
 * const config = composedKernel('Conv2DBackpropFilter', 'wasm', ({ x, dy }, attrs) => ...);
 * tf.registerKernel(config);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkFunction, checkString } from '../check.js';

export type ComposedImpl<A> = (inputs: Record<string, tf.Tensor>, attrs: A) => tf.Tensor;

interface RefCountedBackend {
  incRef?: (dataId: object) => void;
  dataIdMap?: { get(dataId: object): { refCount: number } | undefined };
}

/** A `Tensor` view of a kernel input: the tensor itself, or a wrapper that owns one reference. */
export function asTensor(info: tf.TensorInfo, backend: tf.KernelBackend): { tensor: tf.Tensor; owned: boolean } {
  if (info instanceof tf.Tensor) return { tensor: info, owned: false };
  const b = backend as unknown as RefCountedBackend;
  if (typeof b.incRef === 'function') b.incRef(info.dataId);
  else {
    const entry = b.dataIdMap?.get(info.dataId);
    if (!entry) throw new Error(`composedKernel: cannot take a reference to a ${backend.constructor.name} tensor`);
    entry.refCount++;
  }
  return { tensor: tf.engine().makeTensorFromTensorInfo(info, backend), owned: true };
}

/** The kernel config; a name that is not a non-empty string, or an `impl` that is not a function, throws LowbitConfigError. */
export function composedKernel<A>(kernelName: string, backendName: string, impl: ComposedImpl<A>): tf.KernelConfig {
  checkString('composedKernel(kernelName)', kernelName);
  checkString('composedKernel(backendName)', backendName);
  checkFunction('composedKernel(impl)', impl);
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wrapped = Object.entries(inputs).map(
        ([name, info]) => [name, asTensor(info as tf.TensorInfo, backend as tf.KernelBackend)] as const,
      );
      try {
        const tensors = Object.fromEntries(wrapped.map(([name, w]) => [name, w.tensor]));
        return tf.tidy(() => impl(tensors, attrs as unknown as A));
      } finally {
        for (const [, w] of wrapped) if (w.owned) w.tensor.dispose();
      }
    },
  };
}

/** [strideHeight, strideWidth] from a number or a pair. */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** A tensor in NHWC from NCHW (or unchanged). */
export function toNhwc<T extends tf.Tensor>(t: T, dataFormat: 'NHWC' | 'NCHW' | undefined): T {
  return dataFormat === 'NCHW' ? (tf.transpose(t, [0, 2, 3, 1]) as T) : t;
}

/** Shape [b, h, w, c] from a shape given in `dataFormat`. */
export function shapeToNhwc(
  shape: [number, number, number, number],
  dataFormat: 'NHWC' | 'NCHW' | undefined,
): [number, number, number, number] {
  return dataFormat === 'NCHW' ? [shape[0], shape[2], shape[3], shape[1]] : shape;
}
