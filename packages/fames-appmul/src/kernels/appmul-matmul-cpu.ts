/**
 * `LowbitAppMulMatMul` for the cpu backend: {@link appMulMatMulLoop} on the backend's own arrays.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { APPMUL_MATMUL, appMulMatMulLoop, type AppMulMatMulAttrs } from './appmul-matmul.js';

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'int32', values: Int32Array): TensorInfo;
}

const appMulMatMulCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, w } = inputs as { a: TensorInfo; w: TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const [B, K] = a.shape;
  const N = w.shape[1];
  const out = appMulMatMulLoop(
    cpu.data.get(a.dataId).values,
    cpu.data.get(w.dataId).values,
    B,
    K,
    N,
    attrs as unknown as AppMulMatMulAttrs,
  );
  return cpu.makeTensorInfo([B, N], 'int32', out);
};

export const appMulMatMulCpuConfig: KernelConfig = {
  kernelName: APPMUL_MATMUL,
  backendName: 'cpu',
  kernelFunc: appMulMatMulCpu,
};
