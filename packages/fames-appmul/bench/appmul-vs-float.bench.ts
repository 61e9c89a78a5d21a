/**
 * AppMul-simulated dense and conv2d against the float tfjs op of the same shapes, on the cpu and
 * the wasm backend (single-threaded, tfjs's default in Node), side by side in one process.
 * Run: `npm run bench -w packages/fames-appmul`. Writes `bench/results/appmul-{dense,dense-wide,conv2d,train}-{cpu,wasm}.json`
 * (every variant's median and its ratio to the float op) and the summary `bench/results/appmul-vs-float.json`.
 *
 * Codes a8u x w8s (8-bit tables). Product-table ranks: DRUM k=4 1, 6-column truncation 7.
 * Variants:
 * - dense wide, batch 256, 512 -> 256 (16x the products): float, LUT and low-rank DRUM k=4;
 * - dense, batch 64, 256 -> 128: `float-matmul` (tf.matMul of the same codes in float32), the LUT
 *   kernel (`lut-trunc6`, `lut-drum4`), the low-rank path (`lowrank-trunc6`, `lowrank-drum4`: the
 *   codes mapped to their product factors, one float matmul of inner size K r), and the loop this
 *   package had before (`lut-trunc6-previous-loop`, `previous-lut-loop.ts`);
 * - conv2d, batch 32, 14x14x16, 3x3, 32 filters, 'same': `float-conv2d` (tf.conv2d), the direct LUT
 *   kernel (`lut-trunc6`, `lut-drum4`), the low-rank path (`lowrank-trunc6`, `lowrank-drum4`: one
 *   float conv of C r channels), the previous route, patch matrix then LUT matmul
 *   (`lut-trunc6-patches`), the route before this kernel, patches then the previous loop
 *   (`lut-trunc6-previous-route`);
 * - training step (forward + gradients of every weight, `tf.variableGrads`) of an `appMulConv2d`
 *   layer (the conv shape with batch 8) and an `appMulDense` layer, 8-bit quantizers: `float` (the
 *   same layer with exact products) against the 6-column truncation and DRUM k=4 on the path
 *   `'auto'` takes (cpu: the LUT; wasm: low-rank), with the exact product's straight-through
 *   gradient, with training-kernels' kernels registered (as the examples run;
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
  chooseAppMulPath,
  drumMultiplier,
  extractPatches,
  lowRankExactFor,
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
/** Ranks of the product tables (the low-rank path's r). */
const productRanks = {
  trunc6: lowRankFactors(trunc, 16, 'product')!.rank,
  drum4: lowRankFactors(drum, 16, 'product')!.rank,
};
const dense = { B: 64, K: 256, N: 128 };
/** A dense layer 16x the work, with K as large as DRUM's float32 sums stay provably exact (K <= 512). */
const denseWide = { B: 256, K: 512, N: 256 };
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
  sameSums('dense drum', [mm(drum, 'lut'), mm(drum, 'low-rank')]);
  out.push(
    await runBench(
      {
        name: `appmul-dense-${backend}`,
        baseline: 'float-matmul',
        rounds,
        meta: { ...meta, shape: dense, productRanks },
      },
      [
        { name: 'float-matmul', run: timed(() => tf.matMul(af, wf)) },
        { name: 'lut-trunc6', run: timed(mm(trunc, 'lut')) },
        { name: 'lut-trunc6-previous-loop', run: timed(previousDense) },
        { name: 'lut-drum4', run: timed(mm(drum, 'lut')) },
        { name: 'lowrank-trunc6', run: timed(mm(trunc, 'low-rank')) },
        { name: 'lowrank-drum4', run: timed(mm(drum, 'low-rank')) },
      ],
    ),
  );

  // The wide dense: fixed costs per call (code maps, a new weight matrix for XNNPACK) against 16x the products.
  const aw = tf.tensor2d(codes(denseWide.B * denseWide.K, 0, 255), [denseWide.B, denseWide.K], 'int32');
  const ww = tf.tensor2d(codes(denseWide.K * denseWide.N, -128, 127), [denseWide.K, denseWide.N], 'int32');
  const [awf, wwf] = [tf.cast(aw, 'float32') as tf.Tensor2D, tf.cast(ww, 'float32') as tf.Tensor2D];
  const mmWide = (m: AppMul, path: 'lut' | 'low-rank') => () => appMulMatMul(aw, ww, m, { path });
  const wideExact = {
    drum4: lowRankExactFor(drum, lowRankFactors(drum, 16, 'product')!, denseWide.K),
    trunc6: lowRankExactFor(trunc, lowRankFactors(trunc, 16, 'product')!, denseWide.K),
  };
  sameSums('dense wide', [mmWide(drum, 'lut'), mmWide(drum, 'low-rank')]);
  out.push(
    await runBench(
      {
        name: `appmul-dense-wide-${backend}`,
        baseline: 'float-matmul',
        rounds,
        meta: { ...meta, shape: denseWide, productRanks, lowRankProvablyExact: wideExact },
      },
      [
        { name: 'float-matmul', run: timed(() => tf.matMul(awf, wwf)) },
        { name: 'lut-drum4', run: timed(mmWide(drum, 'lut')) },
        { name: 'lowrank-drum4', run: timed(mmWide(drum, 'low-rank')) },
      ],
    ),
  );
  tf.dispose([aw, ww, awf, wwf]);

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
  sameSums('conv2d drum', [cv(drum, 'lut'), cv(drum, 'low-rank')]);
  out.push(
    await runBench(
      {
        name: `appmul-conv2d-${backend}`,
        baseline: 'float-conv2d',
        rounds,
        meta: { ...meta, shape: conv, productRanks },
      },
      [
        { name: 'float-conv2d', run: timed(() => tf.conv2d(xf, kf, 1, conv.padding)) },
        { name: 'lut-trunc6', run: timed(cv(trunc, 'lut')) },
        { name: 'lut-drum4', run: timed(cv(drum, 'lut')) },
        { name: 'lowrank-trunc6', run: timed(cv(trunc, 'low-rank')) },
        { name: 'lowrank-drum4', run: timed(cv(drum, 'low-rank')) },
        { name: 'lut-trunc6-patches', run: timed(cv(trunc, 'lut', 'kernel')) },
        { name: 'lut-trunc6-previous-route', run: timed(previousConv) },
      ],
    ),
  );

  const layers = {
    denseFloat: quantized(null, 'dense'),
    denseTrunc: quantized(trunc, 'dense'),
    denseDrum: quantized(drum, 'dense'),
    convFloat: quantized(null, 'conv2d'),
    convTrunc: quantized(trunc, 'conv2d'),
    convDrum: quantized(drum, 'conv2d'),
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
          path: chooseAppMulPath(trunc, conv.k * conv.k * conv.C),
        },
      },
      [
        { name: 'conv2d-float', run: trainStep(layers.convFloat, xConv) },
        { name: 'conv2d-trunc6', run: trainStep(layers.convTrunc, xConv) },
        { name: 'conv2d-drum4', run: trainStep(layers.convDrum, xConv) },
        { name: 'dense-float', run: trainStep(layers.denseFloat, xDense) },
        { name: 'dense-trunc6', run: trainStep(layers.denseTrunc, xDense) },
        { name: 'dense-drum4', run: trainStep(layers.denseDrum, xDense) },
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
  Object.entries(results).map(([backend, [d, dw, c, t]]) => [
    backend,
    {
      denseLutTrunc6: ratio(d, 'lut-trunc6', 'float-matmul'),
      denseLutDrum4: ratio(d, 'lut-drum4', 'float-matmul'),
      denseLowRankTrunc6: ratio(d, 'lowrank-trunc6', 'float-matmul'),
      denseLowRankDrum4: ratio(d, 'lowrank-drum4', 'float-matmul'),
      denseWideLutDrum4: ratio(dw, 'lut-drum4', 'float-matmul'),
      denseWideLowRankDrum4: ratio(dw, 'lowrank-drum4', 'float-matmul'),
      conv2dLutTrunc6: ratio(c, 'lut-trunc6', 'float-conv2d'),
      conv2dLutDrum4: ratio(c, 'lut-drum4', 'float-conv2d'),
      conv2dLowRankTrunc6: ratio(c, 'lowrank-trunc6', 'float-conv2d'),
      conv2dLowRankDrum4: ratio(c, 'lowrank-drum4', 'float-conv2d'),
      conv2dPatchesRoute: ratio(c, 'lut-trunc6-patches', 'float-conv2d'),
      denseNewLoopVsPrevious: ratio(d, 'lut-trunc6', 'lut-trunc6-previous-loop'),
      conv2dDirectVsPreviousRoute: ratio(c, 'lut-trunc6', 'lut-trunc6-previous-route'),
      trainStepConv2dTrunc6: ratio(t, 'conv2d-trunc6', 'conv2d-float'),
      trainStepConv2dDrum4: ratio(t, 'conv2d-drum4', 'conv2d-float'),
      trainStepDenseTrunc6: ratio(t, 'dense-trunc6', 'dense-float'),
      trainStepDenseDrum4: ratio(t, 'dense-drum4', 'dense-float'),
    },
  ]),
);
const file = join(repoRoot(), 'bench', 'results', 'appmul-vs-float.json');
const note = 'speed of the AppMul variant relative to the float op on the same backend (> 1: faster than float)';
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), note, ratios: summary }, null, 2)}\n`);
console.log(`\nspeed relative to float (${file})`);
console.table(summary);
