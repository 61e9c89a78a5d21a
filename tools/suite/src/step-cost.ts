/**
 * What one technique of the suite costs per 1,000 training images: runs each technique's own
 * `run` (the same code `npm start` runs: training, then its calibration or selection step and the
 * test evaluation) on a small training set and prints CPU seconds (the whole process, every
 * thread) and wall seconds. CPU time hardly depends on other jobs on the machine, so it sizes the
 * defaults where wall time cannot.
 *
 *   npx tsx --conditions=@lowbit/source tools/suite/src/step-cost.ts [--train 1280] [--batch 64] [--threads 1]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadFashionMnist } from '@lowbit/datasets';
import { selectBackend } from '@lowbit/training-kernels';
import { TECHNIQUE_IDS, type TechniqueId } from './options.js';
import { createProgress } from './progress.js';
import { SUITE_SIZES } from './nets.js';
import { TECHNIQUES, type SuiteContext } from './techniques.js';

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: '1280' },
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    techniques: { type: 'string', default: TECHNIQUE_IDS.join(',') },
  },
});
const train = Number(values.train);
const batch = Number(values.batch);
tf.enableProdMode();
const choice = await selectBackend({ log: false, threads: Number(values.threads) });
console.log(`backend ${choice.backend}: ${choice.reason.split(';')[0]}; ${train} images, batch ${batch}, 1 epoch`);
const data = {
  train: await loadFashionMnist({ split: 'train', limit: train }),
  test: await loadFashionMnist({ split: 'test', limit: 500 }),
  calib: await loadFashionMnist({ split: 'train', limit: 256 }),
};
const ctx: SuiteContext = {
  data,
  sizes: SUITE_SIZES,
  epochs: 1,
  batchSize: batch,
  seed: 1,
  progress: createProgress({ bars: false, write: () => {} }),
  results: new Map(),
};
for (const id of (values.techniques ?? '').split(',') as TechniqueId[]) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await TECHNIQUES[id].run(ctx);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wall = (performance.now() - t0) / 1000;
  ctx.results.set(id, r);
  console.log(
    `${id.padEnd(9)} CPU ${cpuSeconds.toFixed(1)} s, wall ${wall.toFixed(1)} s: ${((1000 * cpuSeconds) / train).toFixed(2)} CPU s per 1,000 images (incl. its fixed steps); accuracy ${(100 * r.accuracy).toFixed(1)}%`,
  );
}
for (const r of ctx.results.values()) r.model.dispose();
