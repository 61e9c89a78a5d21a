/**
 * `LowbitExtractPatches` and `LowbitExtractPatchesGrad` for the cpu backend: the shared loops of
 * `extract-patches.ts` on the backend's own arrays.
 */
import type { KernelConfig, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import {
  EXTRACT_PATCHES,
  EXTRACT_PATCHES_GRAD,
  extractPatchesKernelFunc,
  type PatchesBackendIo,
} from './extract-patches.js';

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const cpuIo: PatchesBackendIo = {
  read: (backend, info) => (backend as CpuBackendLike).data.get(info.dataId).values,
  write: (backend, shape, values) => (backend as CpuBackendLike).makeTensorInfo(shape, 'float32', values),
};

export const extractPatchesCpuConfig: KernelConfig = {
  kernelName: EXTRACT_PATCHES,
  backendName: 'cpu',
  kernelFunc: extractPatchesKernelFunc(cpuIo, false),
};

export const extractPatchesGradCpuConfig: KernelConfig = {
  kernelName: EXTRACT_PATCHES_GRAD,
  backendName: 'cpu',
  kernelFunc: extractPatchesKernelFunc(cpuIo, true),
};
