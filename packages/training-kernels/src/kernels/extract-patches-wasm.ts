/**
 * `LowbitExtractPatches` and `LowbitExtractPatchesGrad` for the wasm backend: the shared loops of
 * `extract-patches.ts` on the inputs read out of wasm memory; outputs are written with
 * `makeOutput` (the wasm backend has no `makeTensorInfo`).
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import {
  EXTRACT_PATCHES,
  EXTRACT_PATCHES_GRAD,
  extractPatchesKernelFunc,
  type PatchesBackendIo,
} from './extract-patches.js';

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

const wasmIo: PatchesBackendIo = {
  read: (backend, info) => (backend as WasmBackendLike).readSync(info.dataId),
  write: (backend, shape, values) => (backend as WasmBackendLike).makeOutput(shape, 'float32', undefined, values),
};

export const extractPatchesWasmConfig: KernelConfig = {
  kernelName: EXTRACT_PATCHES,
  backendName: 'wasm',
  kernelFunc: extractPatchesKernelFunc(wasmIo, false),
};

export const extractPatchesGradWasmConfig: KernelConfig = {
  kernelName: EXTRACT_PATCHES_GRAD,
  backendName: 'wasm',
  kernelFunc: extractPatchesKernelFunc(wasmIo, true),
};
