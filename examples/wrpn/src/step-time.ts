/**
 * Measures the cost of one training step of each WRPN cell (CPU seconds per 1,000 training images,
 * process-wide, so a loaded machine changes the wall time but hardly the CPU time), to size the
 * default grid.
 *
 *   npx tsx --conditions=@lowbit/source examples/wrpn/src/step-time.ts [--steps 20] [--batch 64] [--threads 1]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '@lowbit/training-kernels';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';
import { configBits } from './settings.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  const steps = arg('--steps', 20);
  const batch = arg('--batch', 64);
  const threads = arg('--threads', 0);
  tf.enableProdMode();
  const choice = await selectBackend(threads > 0 ? { log: false, threads } : { log: false });
  console.log(`backend ${choice.backend} (${choice.reason}); ${steps} steps of batch ${batch}`);
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.cast(tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10), 'float32');
  const configs = (
    process.argv.includes('--configs') ? process.argv[process.argv.indexOf('--configs') + 1] : 'fp32,w8a8,w4a4,w2a2'
  ).split(',');
  const widths = (process.argv.includes('--widths') ? process.argv[process.argv.indexOf('--widths') + 1] : '1,2,3')
    .split(',')
    .map(Number);
  for (const config of configs) {
    for (const width of widths) {
      const model = buildWrpnLenet({
        conv1: 8,
        conv2: 16,
        fc: 64,
        width,
        policy: wrpnPolicy(configBits(config)),
        seed: 1,
      });
      const optimizer = tf.train.adam(1e-3);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      await model.trainOnBatch(x, y); // warm-up
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) await model.trainOnBatch(x, y);
      const cpu = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / 1000;
      const per1k = (v: number) => ((v / (steps * batch)) * 1000).toFixed(2);
      console.log(
        `${config.padEnd(5)} x${width}: CPU ${per1k((cpu.user + cpu.system) / 1e6)} s, wall ${per1k(wall)} s per 1,000 images`,
      );
      model.dispose();
      optimizer.dispose();
    }
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
