/** `KernelConfig` of {@link LowbitShiftConv2D} for the tfjs `cpu` backend (JS loop). */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { LowbitShiftConv2D, type ShiftConv2DAttrs, shiftConv2DLoop } from './shift-conv2d.js';
import type { CpuBackendLike } from './shift-matmul-cpu.js';

const shiftConv2DCpu = (({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: CpuBackendLike;
  attrs: NamedAttrMap;
}) => {
  const { x, filter } = inputs;
  const { values, shape } = shiftConv2DLoop(
    backend.data.get(x.dataId).values,
    x.shape,
    backend.data.get(filter.dataId).values,
    filter.shape,
    attrs as unknown as ShiftConv2DAttrs,
  );
  return backend.makeTensorInfo(shape, 'float32', values);
}) as unknown as KernelFunc;

export const shiftConv2DCpuConfig: KernelConfig = {
  kernelName: LowbitShiftConv2D,
  backendName: 'cpu',
  kernelFunc: shiftConv2DCpu,
};
