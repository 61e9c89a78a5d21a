/**
 * `LowbitAppMulMatMul` for the wasm backend: {@link appMulMatMulLoop} on the inputs read out of
 * wasm memory; the output is written with `makeOutput` (the wasm backend has no makeTensorInfo).
 * A table lookup per product has no wasm op to compose it from efficiently (the composed gather
 * was measured 0.003x of float matMul there; see the README's bench).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APPMUL_MATMUL, appMulMatMulLoop, type AppMulMatMulAttrs } from './appmul-matmul.js';

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'int32', memoryOffset?: number, values?: Int32Array): TensorInfo;
}

const appMulMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, w } = inputs as { a: TensorInfo; w: TensorInfo };
  const wasm = backend as unknown as WasmBackendLike;
  const [B, K] = a.shape;
  const N = w.shape[1];
  const out = appMulMatMulLoop(
    wasm.readSync(a.dataId),
    wasm.readSync(w.dataId),
    B,
    K,
    N,
    attrs as unknown as AppMulMatMulAttrs,
  );
  return wasm.makeOutput([B, N], 'int32', undefined, out);
};

export const appMulMatMulWasmConfig: KernelConfig = {
  kernelName: APPMUL_MATMUL,
  backendName: 'wasm',
  kernelFunc: appMulMatMulWasm,
};
