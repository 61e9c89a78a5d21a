/**
 * `LowbitAppMulConv2d` for the wasm backend: {@link appMulConv2dLoop} on the inputs read out of
 * wasm memory; the output is written with `makeOutput` (the wasm backend has no makeTensorInfo).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APPMUL_CONV2D, appMulConv2dLoop, type AppMulConv2dAttrs } from './appmul-conv2d.js';

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'int32', memoryOffset?: number, values?: Int32Array): TensorInfo;
}

const appMulConv2dWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, w } = inputs as { x: TensorInfo; w: TensorInfo };
  const wasm = backend as unknown as WasmBackendLike;
  const a = attrs as unknown as AppMulConv2dAttrs;
  const out = appMulConv2dLoop(wasm.readSync(x.dataId), wasm.readSync(w.dataId), x.shape, w.shape, a);
  return wasm.makeOutput([x.shape[0]!, a.outH, a.outW, w.shape[3]!], 'int32', undefined, out);
};

export const appMulConv2dWasmConfig: KernelConfig = {
  kernelName: APPMUL_CONV2D,
  backendName: 'wasm',
  kernelFunc: appMulConv2dWasm,
};
