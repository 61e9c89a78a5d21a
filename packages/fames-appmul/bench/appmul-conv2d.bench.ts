/**
 * AppMul-simulated conv2d vs the exact float conv2d, on the cpu and wasm backends.
 * Run: `npm run bench -w packages/fames-appmul` (writes bench/results/appmul-conv2d-{cpu,wasm}.json).
 *
 * Variants (batch 32, 14x14x16 input, 3x3 kernel, 32 filters, 'same', a8u x w8s codes):
 * - `float-conv2d`: tf.conv2d of the same codes in float32 (what an exact quantized conv costs)
 * - `lut-trunc6`: 6-column truncation, patches by training-kernels' LowbitExtractPatches kernel, LUT kernel
 * - `lut-trunc6-composed-patches`: the same with patches composed from pad/slice/concat
 * - `lowrank-trunc6`: kernel patches, then the low-rank path (exact matmul + rank corrections)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { benchCpuThenWasm, runBench } from '@lowbit/bench';
import { appMulConv2dCodes, lowRankFactors, truncatedMultiplier } from '../src/index.js';

tf.enableProdMode();

const [B, H, W, C, F, k] = [32, 14, 14, 16, 32, 3];
const ops = { a: { bits: 8, signed: false }, w: { bits: 8, signed: true } };
const trunc = truncatedMultiplier({ ...ops, columns: 6 });
const factors = lowRankFactors(trunc)!;

async function benchBackend(backend: string) {
  await tf.setBackend(backend);
  await tf.ready();
  let seed = 3;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = tf.tensor4d(
    Int32Array.from({ length: B * H * W * C }, () => Math.floor(rand() * 256)),
    [B, H, W, C],
    'int32',
  );
  const w = tf.tensor4d(
    Int32Array.from({ length: k * k * C * F }, () => Math.floor(rand() * 256) - 128),
    [k, k, C, F],
    'int32',
  );
  const xf = tf.cast(x, 'float32') as tf.Tensor4D;
  const wf = tf.cast(w, 'float32') as tf.Tensor4D;
  const conv = (path: 'lut' | 'low-rank', patches: 'kernel' | 'composed') => () =>
    tf.tidy(() => appMulConv2dCodes(x, w, trunc, { padding: 'same', path, patches }).dataSync());
  // Sanity: every path gives the same sums before timing.
  const reference = conv('lut', 'composed')();
  for (const v of [conv('lut', 'kernel')(), conv('low-rank', 'kernel')()]) {
    if (!v.every((y, i) => y === reference[i])) throw new Error('conv2d paths disagree');
  }
  await runBench(
    {
      name: `appmul-conv2d-${backend}`,
      baseline: 'float-conv2d',
      rounds: 7,
      meta: {
        backend,
        shape: { B, H, W, C, F, k, padding: 'same' },
        operands: 'a8u x w8s',
        truncRank: factors.rank,
        truncIntegerFactors: factors.integer,
      },
    },
    [
      { name: 'float-conv2d', run: () => tf.tidy(() => tf.conv2d(xf, wf, 1, 'same').dataSync()) },
      { name: 'lut-trunc6', run: conv('lut', 'kernel') },
      { name: 'lut-trunc6-composed-patches', run: conv('lut', 'composed') },
      { name: 'lowrank-trunc6', run: conv('low-rank', 'kernel') },
    ],
  );
  tf.dispose([x, w, xf, wf]);
}

await benchCpuThenWasm(benchBackend);
