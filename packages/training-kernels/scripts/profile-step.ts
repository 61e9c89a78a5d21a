// Per-kernel profile of one LeNet training step (batch 64, Adam, trainOnBatch), exclusive times:
//   npx tsx scripts/profile-step.ts [--backend wasm|cpu] [--threads 1|2] [--stock] [--qat] [--steps 5]
//                                   [--shapes] [--json]
//
// --json also writes bench/results/training-kernels-profile-<backend>-<threads>t[-qat][-stock].json.
//
// Every kernel of the backend is wrapped with a timer; a kernel run inside another (our composed
// kernels run forward convolutions) is charged to itself, and the outer kernel keeps only its
// own time, so the rows add up to the kernel total. "outside kernels" is the rest of the step:
// the layers' JS, the gradient tape, tidy, tensor bookkeeping. Times are medians over the steps
// (the machine is shared: also printed is the process CPU time, which load inflates less).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@lowbit/bench';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerTrainingKernels, selectBackend } from '../src/index.js';
import { lenet, lenetQat, randomBatch } from '../bench/lenet.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const backend = arg('backend', 'wasm') as 'wasm' | 'cpu';
const threads = Number(arg('threads', '1'));
const steps = Number(arg('steps', '5'));
const byShape = process.argv.includes('--shapes');
const stock = process.argv.includes('--stock');
const qat = process.argv.includes('--qat');
tf.enableProdMode();
if (stock) {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend(backend);
} else {
  await selectBackend({ prefer: backend, threads, log: true });
  if (backend === 'cpu') registerTrainingKernels({ backends: ['cpu'] });
}

interface Row {
  ms: number[];
  cpu: number[];
  calls: number;
}
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const rows = new Map<string, Row>();
const stack: { name: string; start: number; cpu: number; child: number; childCpu: number }[] = [];
let current = new Map<string, number>();
let currentCpu = new Map<string, number>();
let callsThisStep = new Map<string, number>();
for (const config of tf.getKernelsForBackend(tf.getBackend())) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({
    ...config,
    setupFunc: undefined,
    disposeFunc: undefined,
    kernelFunc: (args) => {
      const shapes = byShape
        ? ` ${Object.values(args.inputs)
            .map((t) => JSON.stringify((t as tf.TensorInfo | undefined)?.shape ?? null))
            .join('')}`
        : '';
      const frame = {
        name: config.kernelName + shapes,
        start: performance.now(),
        cpu: cpuNow(),
        child: 0,
        childCpu: 0,
      };
      stack.push(frame);
      try {
        return inner(args);
      } finally {
        stack.pop();
        const total = performance.now() - frame.start;
        const totalCpu = cpuNow() - frame.cpu;
        if (stack.length) {
          stack[stack.length - 1].child += total;
          stack[stack.length - 1].childCpu += totalCpu;
        }
        const key = stack.length ? `${frame.name} (in ${stack[0].name})` : frame.name;
        current.set(key, (current.get(key) ?? 0) + total - frame.child);
        currentCpu.set(key, (currentCpu.get(key) ?? 0) + totalCpu - frame.childCpu);
        callsThisStep.set(key, (callsThisStep.get(key) ?? 0) + 1);
      }
    },
  });
}

const model = qat ? lenetQat() : lenet();
const { x, y } = randomBatch(64);
await model.trainOnBatch(x, y); // warm-up (creates the optimizer slots)
const stepMs: number[] = [];
const cpuMs: number[] = [];
for (let s = 0; s < steps; s++) {
  current = new Map();
  currentCpu = new Map();
  callsThisStep = new Map();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await model.trainOnBatch(x, y);
  stepMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
  let kernels = 0;
  let kernelsCpu = 0;
  for (const [k, ms] of current) {
    const row = rows.get(k) ?? { ms: [], cpu: [], calls: 0 };
    row.ms.push(ms);
    row.cpu.push(currentCpu.get(k) ?? 0);
    row.calls = callsThisStep.get(k) ?? 0;
    rows.set(k, row);
    kernels += ms;
    kernelsCpu += currentCpu.get(k) ?? 0;
  }
  const row = rows.get('outside kernels') ?? { ms: [], cpu: [], calls: 0 };
  row.ms.push(stepMs[s] - kernels);
  row.cpu.push(cpuMs[s] - kernelsCpu);
  rows.set('outside kernels', row);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const step = median(stepMs);
const label = `${backend}${stock ? ' stock' : ''}, ${threads} thread(s)${qat ? ', QAT (WRPN 4-bit)' : ''}`;
console.log(
  `${label}: step median ${step.toFixed(1)} ms, CPU ${median(cpuMs).toFixed(1)} ms, load ${loadavg()[0].toFixed(1)}`,
);
const table = [...rows.entries()]
  .map(([kernel, r]) => ({
    kernel,
    calls: r.calls,
    ms: +median(r.ms).toFixed(1),
    cpuMs: +median(r.cpu).toFixed(1),
    share: `${((100 * median(r.ms)) / step).toFixed(0)}%`,
  }))
  .sort((a, b) => b.cpuMs - a.cpuMs);
console.table(table.slice(0, 25));
if (process.argv.includes('--json')) {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `training-kernels-profile-${backend}-${threads}t${qat ? '-qat' : ''}${stock ? '-stock' : ''}.json`,
  );
  const result = {
    date: new Date().toISOString(),
    label,
    model: qat ? 'LeNet, WRPN 4-bit QAT' : 'LeNet (float32)',
    batch: 64,
    steps,
    stepMedianMs: +step.toFixed(1),
    stepCpuMedianMs: +median(cpuMs).toFixed(1),
    loadAverage1m: +loadavg()[0].toFixed(2),
    note: 'exclusive per-kernel times (a kernel run inside another is its own row), medians over the steps',
    kernels: table,
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
