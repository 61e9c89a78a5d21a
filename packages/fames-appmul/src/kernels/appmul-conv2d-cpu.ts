/**
 * `LowbitAppMulConv2d` for the cpu backend: {@link appMulConv2dLoop} on the backend's own arrays.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { APPMUL_CONV2D, appMulConv2dLoop, type AppMulConv2dAttrs } from './appmul-conv2d.js';

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'int32', values: Int32Array): TensorInfo;
}

const appMulConv2dCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, w } = inputs as { x: TensorInfo; w: TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const a = attrs as unknown as AppMulConv2dAttrs;
  const out = appMulConv2dLoop(cpu.data.get(x.dataId).values, cpu.data.get(w.dataId).values, x.shape, w.shape, a);
  return cpu.makeTensorInfo([x.shape[0]!, a.outH, a.outW, w.shape[3]!], 'int32', out);
};

export const appMulConv2dCpuConfig: KernelConfig = {
  kernelName: APPMUL_CONV2D,
  backendName: 'cpu',
  kernelFunc: appMulConv2dCpu,
};
