// Times every kernel of one LeNet training step (batch 64):
//   npx tsx scripts/profile-step.ts <cpu|wasm> [stock|patched] [batch]
// Kernels run inside other kernels (our composed ones) are listed too, so read the totals with care.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { lenet, randomBatch } from '../bench/lenet.js';

const backend = process.argv[2] ?? 'cpu';
const mode = process.argv[3] ?? 'stock';
const batch = Number(process.argv[4] ?? 64);
tf.enableProdMode();
if (backend === 'wasm') {
  await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
if (mode === 'patched') {
  const { registerTrainingKernels } = await import('../src/index.js');
  registerTrainingKernels({ backends: [backend as 'cpu' | 'wasm'] });
}
await tf.setBackend(backend);
await tf.ready();
const model = lenet();
const { x, y } = randomBatch(batch);
await model.trainOnBatch(x, y); // warm-up (creates optimizer slots)
const t0 = performance.now();
const info = await tf.profile(async () => {
  await model.trainOnBatch(x, y);
});
const total = performance.now() - t0;
const byName = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const ms = Number(await k.kernelTimeMs) || 0;
  const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls += 1;
  byName.set(k.name, e);
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
console.log(`${backend} ${mode}, batch ${batch}: one training step ${(total / 1000).toFixed(2)} s (profiled)`);
console.table(rows.map(([name, e]) => ({ kernel: name, ms: +e.ms.toFixed(1), calls: e.calls })));
