/**
 * `KernelConfig` of {@link LowbitFakeQuantAffine} for the tfjs `wasm` backend, built from the
 * backend's own SIMD kernels: `mul`/`div` by the scale, `round` (half to even), `clipByValue`,
 * and back, with the zero-point add and subtract left out where every zero point is 0 (WRPN,
 * symmetric grids): 4 kernels instead of the composed fallback's 6, and no custom-gradient
 * wrapper (the kernel's gradient is registered). A JS loop over the wasm heap measured 0.3-0.4x
 * of the composed ops on a 1M-element tensor (bench/fake-quant.bench.ts), so the loop is not
 * used on wasm. Values equal the composed fallback's (a -0 may come out where it gives +0).
 *
 * Inside a kernel the engine records no gradient, so the ops run on the wasm backend directly;
 * the input is wrapped without taking ownership and every intermediate is disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { channelTensor } from './fake-quant-affine-grad.js';
import { type FakeQuantAffineAttrs, LowbitFakeQuantAffine } from './fake-quant-affine-kernel.js';

interface RefCounted {
  dataIdMap: { get(dataId: object): { refCount: number } | undefined };
}

/** The fake quantization of `x` from tf ops, skipping the zero point where it is 0 everywhere. */
export function fakeQuantAffineFromOps(x: tf.Tensor, attrs: FakeQuantAffineAttrs): tf.Tensor {
  return tf.tidy(() => {
    const s = channelTensor(attrs.scale, attrs.axis, x.rank);
    const withZero = attrs.zeroPoint.some((z) => z !== 0);
    const z = withZero ? channelTensor(attrs.zeroPoint, attrs.axis, x.rank) : null;
    const inverse = attrs.inverse === 1;
    let q = tf.round(inverse ? tf.mul(x, s) : tf.div(x, s));
    if (z) q = tf.add(q, z);
    q = tf.clipByValue(q, attrs.qmin, attrs.qmax);
    if (z) q = tf.sub(q, z);
    return inverse ? tf.div(q, s) : tf.mul(q, s);
  });
}

export const fakeQuantAffineWasmConfig: tf.KernelConfig = {
  kernelName: LowbitFakeQuantAffine,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const info = (inputs as { x: tf.TensorInfo }).x;
    let x: tf.Tensor;
    let owned = false;
    if (info instanceof tf.Tensor) x = info;
    else {
      const entry = (backend as unknown as RefCounted).dataIdMap.get(info.dataId);
      if (!entry) throw new Error('LowbitFakeQuantAffine (wasm): input is not a wasm tensor');
      entry.refCount++;
      x = tf.engine().makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
      owned = true;
    }
    try {
      return fakeQuantAffineFromOps(x, attrs as unknown as FakeQuantAffineAttrs);
    } finally {
      if (owned) x.dispose();
    }
  },
};
