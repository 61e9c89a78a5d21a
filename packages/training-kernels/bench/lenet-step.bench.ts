// One LeNet training step (32C5-MP-64C5-MP-512-10, batch 64, Adam, trainOnBatch) on stock cpu,
// patched cpu and patched wasm (SIMD, single-threaded), side by side in one process.
//
//   npm run bench -w packages/training-kernels            # both runs below
//   npm run bench -w packages/training-kernels -- --skip-stock
//
// Run 1 `lenet-step-stock`: all three variants, ONE timed round and no harness warm-up, because
// a stock-cpu step takes minutes. Each model has already taken one (untimed) step with the
// patched kernels, so the optimizer state exists and the round times a steady-state step.
// Run 2 `lenet-step`: patched cpu against patched wasm, 5 rounds after 1 warm-up step.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { runBench, type BenchVariant } from '@lowbit/bench';
import { registerTrainingKernels, restoreStockKernels } from '../src/index.js';
import { lenet, randomBatch } from './lenet.js';

const skipStock = process.argv.includes('--skip-stock');
tf.enableProdMode();
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
registerTrainingKernels({ backends: ['cpu', 'wasm'] });

interface Setup {
  backend: 'cpu' | 'wasm';
  stock: boolean;
  model: ReturnType<typeof lenet>;
  x: tf.Tensor;
  y: tf.Tensor;
}

async function use(s: Pick<Setup, 'backend' | 'stock'>): Promise<void> {
  await tf.setBackend(s.backend);
  if (s.backend === 'cpu') {
    if (s.stock) restoreStockKernels({ backends: ['cpu'] });
    else registerTrainingKernels({ backends: ['cpu'] });
  }
}

async function setup(backend: 'cpu' | 'wasm', stock: boolean): Promise<Setup> {
  await use({ backend, stock: false });
  const model = lenet();
  const { x, y } = randomBatch(64);
  await model.trainOnBatch(x, y); // creates the optimizer slots (patched kernels: seconds, not minutes)
  return { backend, stock, model, x, y };
}

function variant(name: string, s: Setup): BenchVariant {
  return {
    name,
    run: async () => {
      await use(s);
      await s.model.trainOnBatch(s.x, s.y);
    },
  };
}

const simd = await (async () => {
  await tf.setBackend('wasm');
  return tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
})();
const meta = { model: 'LeNet 32C5-MP-64C5-MP-512-10', batch: 64, optimizer: 'adam', step: 'model.trainOnBatch', wasmSimd: simd, wasmThreads: 1, loadAverage1mAtStart: +loadavg()[0].toFixed(1) };

const patchedCpu = await setup('cpu', false);
const patchedWasm = await setup('wasm', false);
if (!skipStock) {
  const stockCpu = await setup('cpu', true);
  await runBench({ name: 'lenet-step-stock', baseline: 'stock cpu', rounds: 1, warmup: 0, meta }, [
    variant('stock cpu', stockCpu),
    variant('patched cpu', patchedCpu),
    variant('patched wasm', patchedWasm),
  ]);
}
await runBench({ name: 'lenet-step', baseline: 'patched cpu', rounds: 5, warmup: 1, meta }, [
  variant('patched cpu', patchedCpu),
  variant('patched wasm', patchedWasm),
]);
