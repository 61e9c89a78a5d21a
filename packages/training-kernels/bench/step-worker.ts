// One lowbit side of the LeNet step bench, served over stdin/stdout (lenet-step.bench.ts starts
// one per thread count: the wasm backend's thread pool is fixed for the life of a process).
//
//   tsx bench/step-worker.ts --threads 2     then lines {"variant": "float"|"qat", "steps": 3}
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/index.js';
import { lenet, lenetQat, randomBatch } from './lenet.js';

const i = process.argv.indexOf('--threads');
const threads = i >= 0 ? Number(process.argv[i + 1]) : 1;
tf.enableProdMode();
const choice = await selectBackend({ prefer: 'wasm', threads, log: false });
const models = { float: lenet(), qat: lenetQat() };
const { x, y } = randomBatch(64);
for (const model of Object.values(models)) for (let s = 0; s < 2; s++) await model.trainOnBatch(x, y);
const send = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
send({
  ready: true,
  backend: choice.backend,
  reason: choice.reason,
  threads: choice.threads,
  numTensors: tf.memory().numTensors,
});
for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as { variant: keyof typeof models; steps?: number };
  const model = models[request.variant];
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let s = 0; s < (request.steps ?? 1); s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  send({ wallMs, cpuMs, numTensors: tf.memory().numTensors });
}
