/**
 * `KernelConfig` of {@link LowbitFakeQuantAffine} for the tfjs `cpu` backend: one JS loop over
 * the input (about 10x faster than the six composed ops on cpu; see bench/fake-quant.bench.ts).
 * The backend is typed structurally so quant-core does not depend on @tensorflow/tfjs-backend-cpu.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type FakeQuantAffineAttrs, fakeQuantAffineLoop, LowbitFakeQuantAffine } from './fake-quant-affine-kernel.js';

interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const fakeQuantAffineCpu = (({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo };
  backend: CpuBackendLike;
  attrs: NamedAttrMap;
}) => {
  const { x } = inputs;
  const values = backend.data.get(x.dataId).values;
  const out = new Float32Array(values.length);
  fakeQuantAffineLoop(values, out, x.shape, attrs as unknown as FakeQuantAffineAttrs);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}) as unknown as KernelFunc;

export const fakeQuantAffineCpuConfig: KernelConfig = {
  kernelName: LowbitFakeQuantAffine,
  backendName: 'cpu',
  kernelFunc: fakeQuantAffineCpu,
};
