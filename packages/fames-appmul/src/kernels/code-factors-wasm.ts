/**
 * `LowbitCodeFactors` for the wasm backend: {@link codeFactorsLoop} from a view of the codes in
 * wasm memory straight into the output's memory (no copy either way: the copies cost more than
 * the loop). The output is allocated first, so no later allocation moves the heap under the views;
 * it is released again if a code is out of range.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { checkCodeFactorsAttrs, codeFactorsShape } from './check-code-factors.js';
import { CODE_FACTORS, codeFactorsLoop } from './code-factors.js';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
  disposeData(dataId: unknown): boolean;
}

const codeFactorsWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const wasm = backend as unknown as WasmBackendLike;
  const a = checkCodeFactorsAttrs('attrs', attrs); // before the output is sized from them
  const out = wasm.makeOutput(codeFactorsShape(x.shape, a.rank, a.axis), 'float32');
  try {
    codeFactorsLoop(wasm.typedArrayFromHeap(x), a, x.shape, wasm.typedArrayFromHeap(out) as Float32Array);
  } catch (error) {
    wasm.disposeData(out.dataId);
    throw error;
  }
  return out;
};

export const codeFactorsWasmConfig: KernelConfig = {
  kernelName: CODE_FACTORS,
  backendName: 'wasm',
  kernelFunc: codeFactorsWasm,
};
