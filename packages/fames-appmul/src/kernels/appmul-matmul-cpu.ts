/**
 * `LowbitAppMulMatMul` for the cpu backend: a JS loop over the product table. The weight bit
 * patterns are computed once; each (b, k) picks its table row and adds it along n.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { LowbitDataError } from '@lowbit/quant-core';
import { APPMUL_MATMUL, type AppMulMatMulAttrs } from './appmul-matmul.js';

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'int32', values: Int32Array): TensorInfo;
}

const appMulMatMulCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, w } = inputs as { a: TensorInfo; w: TensorInfo };
  const { table, bitsA, bitsW, aMin, aMax, wMin, wMax } = attrs as unknown as AppMulMatMulAttrs;
  const cpu = backend as unknown as CpuBackendLike;
  const av = cpu.data.get(a.dataId).values;
  const wv = cpu.data.get(w.dataId).values;
  const [B, K] = a.shape;
  const N = w.shape[1];
  const nW = 2 ** bitsW;
  const maskA = 2 ** bitsA - 1;
  const maskW = nW - 1;
  const wPattern = new Int32Array(K * N);
  for (let i = 0; i < K * N; i++) {
    const c = wv[i];
    if (!(c >= wMin && c <= wMax) || c !== Math.floor(c)) throw new LowbitDataError(APPMUL_MATMUL, `weight code ${c} at index ${i} is not an integer in [${wMin}, ${wMax}]`);
    wPattern[i] = c & maskW;
  }
  const out = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const o = b * N;
    for (let k = 0; k < K; k++) {
      const c = av[b * K + k];
      if (!(c >= aMin && c <= aMax) || c !== Math.floor(c)) throw new LowbitDataError(APPMUL_MATMUL, `activation code ${c} at index ${b * K + k} is not an integer in [${aMin}, ${aMax}]`);
      const row = (c & maskA) * nW;
      const wk = k * N;
      for (let n = 0; n < N; n++) out[o + n] += table[row + wPattern[wk + n]];
    }
  }
  return cpu.makeTensorInfo([B, N], 'int32', out);
};

export const appMulMatMulCpuConfig: KernelConfig = {
  kernelName: APPMUL_MATMUL,
  backendName: 'cpu',
  kernelFunc: appMulMatMulCpu,
};
