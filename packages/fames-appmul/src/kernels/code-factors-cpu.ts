/** `LowbitCodeFactors` for the cpu backend: {@link codeFactorsLoop} on the backend's own array. */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { checkCodeFactorsAttrs, codeFactorsShape } from './check-code-factors.js';
import { CODE_FACTORS, codeFactorsLoop } from './code-factors.js';

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const codeFactorsCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const a = checkCodeFactorsAttrs('attrs', attrs); // before the output is sized from them
  const out = codeFactorsLoop(cpu.data.get(x.dataId).values, a, x.shape);
  return cpu.makeTensorInfo(codeFactorsShape(x.shape, a.rank, a.axis), 'float32', out);
};

export const codeFactorsCpuConfig: KernelConfig = {
  kernelName: CODE_FACTORS,
  backendName: 'cpu',
  kernelFunc: codeFactorsCpu,
};
