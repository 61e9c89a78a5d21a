/**
 * AppMul-simulated dense layer vs the exact float dense, on the cpu and wasm backends.
 * Run: `npm run bench -w packages/fames-appmul` (writes bench/results/appmul-dense.json).
 *
 * Variants (batch 64, 256 inputs, 128 outputs, 8-bit unsigned activations x 8-bit signed weights):
 * - `float-matmul`: tf.matMul of the same codes in float32 (what an exact quantized dense costs)
 * - `lut-drum4`: DRUM k=4 (error table of high rank) through the LUT kernel (cpu or wasm)
 * - `lut-trunc6`: 6-column truncation through the LUT kernel
 * - `lowrank-trunc6`: the same truncation through the low-rank path (integer factors)
 * - `composed-lut-trunc6`: the composed gather fallback other backends use
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { benchCpuThenWasm, runBench } from '@lowbit/bench';
import { appMulMatMul, drumMultiplier, lowRankFactors, truncatedMultiplier } from '../src/index.js';
import { appMulMatMulComposed } from '../src/kernels/appmul-matmul.js';

tf.enableProdMode();

const [B, K, N] = [64, 256, 128];
const ops = { a: { bits: 8, signed: false }, w: { bits: 8, signed: true } };
const drum = drumMultiplier({ ...ops, k: 4 });
const trunc = truncatedMultiplier({ ...ops, columns: 6 });
const factors = lowRankFactors(trunc)!;

async function benchBackend(backend: string) {
  await tf.setBackend(backend);
  await tf.ready();
  let seed = 1;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const a = tf.tensor2d(
    Int32Array.from({ length: B * K }, () => Math.floor(rand() * 256)),
    [B, K],
    'int32',
  );
  const w = tf.tensor2d(
    Int32Array.from({ length: K * N }, () => Math.floor(rand() * 256) - 128),
    [K, N],
    'int32',
  );
  const af = tf.cast(a, 'float32');
  const wf = tf.cast(w, 'float32');
  // Sanity: both paths give the same sums before timing.
  const lut = tf.tidy(() => appMulMatMul(a, w, trunc, { path: 'lut' }).dataSync());
  const low = tf.tidy(() => appMulMatMul(a, w, trunc, { path: 'low-rank' }).dataSync());
  if (!lut.every((v, i) => v === low[i])) throw new Error('LUT and low-rank paths disagree');
  const variants = [
    { name: 'float-matmul', run: () => tf.tidy(() => tf.matMul(af, wf).dataSync()) },
    { name: 'lut-drum4', run: () => tf.tidy(() => appMulMatMul(a, w, drum, { path: 'lut' }).dataSync()) },
    { name: 'lut-trunc6', run: () => tf.tidy(() => appMulMatMul(a, w, trunc, { path: 'lut' }).dataSync()) },
    { name: 'lowrank-trunc6', run: () => tf.tidy(() => appMulMatMul(a, w, trunc, { path: 'low-rank' }).dataSync()) },
  ];
  if (backend === 'cpu') {
    variants.push({
      name: 'composed-lut-trunc6',
      run: () =>
        tf.tidy(() =>
          appMulMatMulComposed(a, w, {
            table: trunc.table,
            bitsA: 8,
            bitsW: 8,
            aMin: 0,
            aMax: 255,
            wMin: -128,
            wMax: 127,
          }).dataSync(),
        ),
    });
  }
  await runBench(
    {
      name: `appmul-dense-${backend}`,
      baseline: 'float-matmul',
      rounds: 7,
      meta: {
        backend,
        shape: { B, K, N },
        operands: 'a8u x w8s',
        truncRank: factors.rank,
        truncIntegerFactors: factors.integer,
        lutPath: backend === 'cpu' ? 'JS-loop kernel' : 'composed gather',
      },
    },
    variants,
  );
  tf.dispose([a, w, af, wf]);
}

await benchCpuThenWasm(benchBackend);
