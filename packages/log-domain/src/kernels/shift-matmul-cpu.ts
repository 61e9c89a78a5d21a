/**
 * `KernelConfig` of {@link LowbitShiftMatMul} for the tfjs `cpu` backend: the JS loop of
 * `kernels/shift-matmul.ts`. The backend is typed structurally so this package does not depend on
 * @tensorflow/tfjs-backend-cpu.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { LowbitShiftMatMul, type ShiftMatMulAttrs, shiftMatMulLoop } from './shift-matmul.js';

export interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const shiftMatMulCpu = (({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: CpuBackendLike;
  attrs: NamedAttrMap;
}) => {
  const { a, b } = inputs;
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = new Float32Array(m * n);
  shiftMatMulLoop(
    backend.data.get(a.dataId).values,
    backend.data.get(b.dataId).values,
    out,
    m,
    k,
    n,
    attrs as unknown as ShiftMatMulAttrs,
  );
  return backend.makeTensorInfo([m, n], 'float32', out);
}) as unknown as KernelFunc;

export const shiftMatMulCpuConfig: KernelConfig = {
  kernelName: LowbitShiftMatMul,
  backendName: 'cpu',
  kernelFunc: shiftMatMulCpu,
};
