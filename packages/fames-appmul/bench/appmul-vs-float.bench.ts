/**
 * AppMul-simulated dense and conv2d against the float tfjs op of the same shapes, on the cpu and
 * the wasm backend (single-threaded, tfjs's default in Node), side by side in one process.
 * Run: `npm run bench -w packages/fames-appmul`. Writes `bench/results/appmul-{dense,conv2d,train}-{cpu,wasm}.json`
 * (every variant's median and its ratio to the float op) and the summary `bench/results/appmul-vs-float.json`.
 *
 * Codes a8u x w8s (8-bit tables). Variants:
 * - dense, batch 64, 256 -> 128: `float-matmul` (tf.matMul of the same codes in float32), the LUT
 *   kernel for a 6-column truncation (`lut-trunc6`) and DRUM k=4 (`lut-drum4`, high rank), and the
 *   low-rank path (`lowrank-trunc6`), and the loop this package had before (`lut-trunc6-previous-loop`,
 *   `previous-lut-loop.ts`);
 * - conv2d, batch 32, 14x14x16, 3x3, 32 filters, 'same': `float-conv2d` (tf.conv2d), the direct LUT
 *   kernel (`lut-trunc6`, `lut-drum4`), the previous route, patch matrix then LUT matmul
 *   (`lut-trunc6-patches`), the route before this kernel, patches then the previous loop
 *   (`lut-trunc6-previous-route`); the low-rank path, seconds per call on cpu, is only checked for
 *   equal sums;
 * - training step (forward + gradients of every weight, `tf.variableGrads`) of an `appMulConv2d`
 *   layer (the conv shape with batch 8) and an `appMulDense` layer, 8-bit quantizers: `float` (the
 *   same layer with exact products) against `lut-trunc6` (LUT forward, the exact product's
 *   straight-through gradient), with training-kernels' kernels registered (as the examples run;
 *   registered after the forward benches, so those time tfjs's stock float ops).
 * The float ops keep their weights, so the wasm backend reuses XNNPACK's packed weights, as it
 * does in inference.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { benchCpuThenWasm, repoRoot, runBench, type BenchResult } from '@lowbit/bench';
import { LowbitUniformQuantizer, type LowbitQuantLayer } from '@lowbit/quant-core';
import { registerTrainingKernels } from '@lowbit/training-kernels';
import {
  appMulConv2d,
  appMulConv2dCodes,
  appMulDense,
  appMulMatMul,
  drumMultiplier,
  extractPatches,
  lowRankFactors,
  truncatedMultiplier,
  type AppMul,
} from '../src/index.js';
import { lutAttrsOf } from '../src/simulate/lut-codes.js';
import { previousMatMulLoop } from './previous-lut-loop.js';

tf.enableProdMode();

const ops = { a: { bits: 8, signed: false }, w: { bits: 8, signed: true } };
const drum = drumMultiplier({ ...ops, k: 4 });
const trunc = truncatedMultiplier({ ...ops, columns: 6 });
const factors = lowRankFactors(trunc)!;
const dense = { B: 64, K: 256, N: 128 };
const conv = { B: 32, H: 14, W: 14, C: 16, F: 32, k: 3, padding: 'same' as const };
const rounds = 7;
const trainConvBatch = 8;

let seed = 3;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const codes = (n: number, lo: number, hi: number) =>
  Int32Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));

/** One iteration: the result is read back (dataSync) and nothing is returned from the tidy. */
const timed = (f: () => tf.Tensor) => () => {
  tf.tidy(() => {
    f().dataSync();
  });
};

function sameSums(name: string, ys: Array<() => tf.Tensor>): void {
  const [first, ...rest] = ys.map((f) => tf.tidy(() => f().dataSync()));
  for (const y of rest) if (!y.every((v, i) => v === first![i])) throw new Error(`${name}: paths disagree`);
}

/** A layer's training step: forward, sum, gradients of its weights, read back. */
function trainStep(layer: LowbitQuantLayer, x: tf.Tensor) {
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the layer (creates its weights)
  const weights = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  return () => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      weights,
    );
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

function quantized(multiplier: AppMul | null, kind: 'dense' | 'conv2d'): LowbitQuantLayer {
  const quantizers = {
    kernelQuantizer: new LowbitUniformQuantizer({ bits: 8, symmetric: true, perChannel: true, axis: -1 }),
    inputQuantizer: new LowbitUniformQuantizer({ bits: 8, symmetric: true, signed: false, range: 'ema' }),
  };
  const init = { kernelInitializer: 'glorotUniform' as const, multiplier };
  return kind === 'dense'
    ? appMulDense({ units: dense.N, ...init, ...quantizers })
    : appMulConv2d({ filters: conv.F, kernelSize: conv.k, padding: conv.padding, ...init, ...quantizers });
}

const results: Record<string, BenchResult[]> = {};

async function benchBackend(backend: 'cpu' | 'wasm') {
  await tf.setBackend(backend);
  await tf.ready();
  const meta = {
    backend,
    operands: 'a8u x w8s',
    wasmThreads: backend === 'wasm' ? (tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threaded' : 1) : null,
  };
  const out: BenchResult[] = [];

  const a = tf.tensor2d(codes(dense.B * dense.K, 0, 255), [dense.B, dense.K], 'int32');
  const w = tf.tensor2d(codes(dense.K * dense.N, -128, 127), [dense.K, dense.N], 'int32');
  const [af, wf] = [tf.cast(a, 'float32') as tf.Tensor2D, tf.cast(w, 'float32') as tf.Tensor2D];
  const mm = (m: AppMul, path: 'lut' | 'low-rank') => () => appMulMatMul(a, w, m, { path });
  // The loop this package had before, on the same codes (read out, looped, written back).
  const previousDense = () =>
    tf.tensor2d(
      previousMatMulLoop(a.dataSync(), w.dataSync(), dense.B, dense.K, dense.N, lutAttrsOf(trunc)),
      [dense.B, dense.N],
      'int32',
    );
  sameSums('dense', [mm(trunc, 'lut'), mm(trunc, 'low-rank'), previousDense]);
  out.push(
    await runBench(
      {
        name: `appmul-dense-${backend}`,
        baseline: 'float-matmul',
        rounds,
        meta: { ...meta, shape: dense, truncRank: factors.rank },
      },
      [
        { name: 'float-matmul', run: timed(() => tf.matMul(af, wf)) },
        { name: 'lut-trunc6', run: timed(mm(trunc, 'lut')) },
        { name: 'lut-trunc6-previous-loop', run: timed(previousDense) },
        { name: 'lut-drum4', run: timed(mm(drum, 'lut')) },
        { name: 'lowrank-trunc6', run: timed(mm(trunc, 'low-rank')) },
      ],
    ),
  );

  const x = tf.tensor4d(codes(conv.B * conv.H * conv.W * conv.C, 0, 255), [conv.B, conv.H, conv.W, conv.C], 'int32');
  const k = tf.tensor4d(codes(conv.k * conv.k * conv.C * conv.F, -128, 127), [conv.k, conv.k, conv.C, conv.F], 'int32');
  const [xf, kf] = [tf.cast(x, 'float32') as tf.Tensor4D, tf.cast(k, 'float32') as tf.Tensor4D];
  const cv = (m: AppMul, path: 'lut' | 'low-rank', patches?: 'kernel') => () =>
    appMulConv2dCodes(x, k, m, { padding: conv.padding, path, patches });
  // The route this package had before: patch matrix, then the previous LUT matmul loop.
  const previousConv = () => {
    const patches = extractPatches(x, conv.k, conv.k, { padding: conv.padding });
    const [B, Ho, Wo, P] = patches.shape;
    const sums = previousMatMulLoop(patches.dataSync(), k.dataSync(), B * Ho * Wo, P, conv.F, lutAttrsOf(trunc));
    return tf.tensor4d(sums, [B, Ho, Wo, conv.F], 'int32');
  };
  sameSums('conv2d', [cv(trunc, 'lut'), cv(trunc, 'lut', 'kernel'), cv(trunc, 'low-rank'), previousConv]);
  out.push(
    await runBench(
      {
        name: `appmul-conv2d-${backend}`,
        baseline: 'float-conv2d',
        rounds,
        meta: { ...meta, shape: conv, truncRank: factors.rank },
      },
      [
        { name: 'float-conv2d', run: timed(() => tf.conv2d(xf, kf, 1, conv.padding)) },
        { name: 'lut-trunc6', run: timed(cv(trunc, 'lut')) },
        { name: 'lut-drum4', run: timed(cv(drum, 'lut')) },
        { name: 'lut-trunc6-patches', run: timed(cv(trunc, 'lut', 'kernel')) },
        { name: 'lut-trunc6-previous-route', run: timed(previousConv) },
      ],
    ),
  );

  const layers = {
    denseFloat: quantized(null, 'dense'),
    denseLut: quantized(trunc, 'dense'),
    convFloat: quantized(null, 'conv2d'),
    convLut: quantized(trunc, 'conv2d'),
  };
  const xDense = tf.randomUniform([dense.B, dense.K], 0, 1, 'float32', 1);
  const xConv = tf.randomUniform([trainConvBatch, conv.H, conv.W, conv.C], 0, 1, 'float32', 2);
  registerTrainingKernels({ backends: [backend] });
  out.push(
    await runBench(
      {
        name: `appmul-train-${backend}`,
        baseline: 'conv2d-float',
        rounds,
        meta: {
          ...meta,
          dense,
          conv: { ...conv, B: trainConvBatch },
          trainingKernels: true,
          step: 'tf.variableGrads of sum(layer.apply(x)), 8-bit quantizers',
        },
      },
      [
        { name: 'conv2d-float', run: trainStep(layers.convFloat, xConv) },
        { name: 'conv2d-lut-trunc6', run: trainStep(layers.convLut, xConv) },
        { name: 'dense-float', run: trainStep(layers.denseFloat, xDense) },
        { name: 'dense-lut-trunc6', run: trainStep(layers.denseLut, xDense) },
      ],
    ),
  );
  tf.dispose([a, w, af, wf, x, k, xf, kf, xDense, xConv]);
  results[backend] = out;
}

await benchCpuThenWasm(benchBackend);

/** Median of `variant` over the median of `baseline` in one result: > 1 means faster than float. */
function ratio(r: BenchResult | undefined, variant: string, baseline: string): number | null {
  const ms = (name: string) => r?.variants.find((v) => v.name === name)?.medianMs;
  const [v, b] = [ms(variant), ms(baseline)];
  return v && b ? +(b / v).toFixed(3) : null;
}
const summary = Object.fromEntries(
  Object.entries(results).map(([backend, [d, c, t]]) => [
    backend,
    {
      denseLutTrunc6: ratio(d, 'lut-trunc6', 'float-matmul'),
      denseLutDrum4: ratio(d, 'lut-drum4', 'float-matmul'),
      conv2dLutTrunc6: ratio(c, 'lut-trunc6', 'float-conv2d'),
      conv2dLutDrum4: ratio(c, 'lut-drum4', 'float-conv2d'),
      conv2dPatchesRoute: ratio(c, 'lut-trunc6-patches', 'float-conv2d'),
      denseNewLoopVsPrevious: ratio(d, 'lut-trunc6', 'lut-trunc6-previous-loop'),
      conv2dDirectVsPreviousRoute: ratio(c, 'lut-trunc6', 'lut-trunc6-previous-route'),
      trainStepConv2d: ratio(t, 'conv2d-lut-trunc6', 'conv2d-float'),
      trainStepDense: ratio(t, 'dense-lut-trunc6', 'dense-float'),
    },
  ]),
);
const file = join(repoRoot(), 'bench', 'results', 'appmul-vs-float.json');
const note = 'speed of the AppMul variant relative to the float op on the same backend (> 1: faster than float)';
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), note, ratios: summary }, null, 2)}\n`);
console.log(`\nspeed relative to float (${file})`);
console.table(summary);
