/**
 * WRPN on Fashion-MNIST: trains {fp32, w8a8, w4a4, w2a4, w2a2} x width {1, 2, 3} LeNet-like
 * networks with identical training (same seed, data, data order, epochs, optimizer) and writes
 * test accuracy, bit-ops and weight memory to docs/results/wrpn.md and .json.
 *
 *   npm run start -w examples/wrpn              # default grid (< 30 min on 2 cores)
 *   npm run start -w examples/wrpn -- --quick   # smoke run (< 2 min), writes docs/results/wrpn-quick.*
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { selectBackend } from '@lowbit/training-kernels';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';
import { configBits, parseSettings, type GridSettings } from './settings.js';
import { writeReport, type CellResult } from './report.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Seeded permutation (mulberry32 + Fisher-Yates): the same data order for every cell. */
function permutation(n: number, seed: number): Int32Array {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

async function accuracy(model: tfl.LayersModel, images: tf.Tensor4D, labels: tf.Tensor1D): Promise<number> {
  let correct = 0;
  const n = images.shape[0];
  for (let start = 0; start < n; start += 500) {
    const size = Math.min(500, n - start);
    correct += tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const y = tf.slice(labels, [start], [size]);
      const pred = tf.argMax(model.predict(x) as tf.Tensor, -1);
      return tf.sum(tf.cast(tf.equal(pred, tf.cast(y, 'int32')), 'int32')).dataSync()[0];
    });
  }
  return correct / n;
}

async function trainCell(
  s: GridSettings,
  config: string,
  width: number,
  data: { x: tf.Tensor4D; y: tf.Tensor2D; testX: tf.Tensor4D; testY: tf.Tensor1D },
): Promise<CellResult> {
  const policy = wrpnPolicy(configBits(config));
  const model = buildWrpnLenet({ conv1: s.conv1, conv2: s.conv2, fc: s.fc, width, policy, seed: s.seed });
  const optimizer = tf.train.adam(s.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const started = Date.now();
  let loss = NaN;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    const order = tf.tensor1d(permutation(s.train, s.seed * 1000 + epoch), 'int32');
    const x = tf.gather(data.x, order);
    const y = tf.gather(data.y, order);
    const h = await model.fit(x, y, { epochs: 1, batchSize: s.batch, shuffle: false, verbose: 0 });
    loss = (h.history.loss as number[])[0];
    tf.dispose([order, x, y]);
  }
  const trainSeconds = (Date.now() - started) / 1000;
  const acc = await accuracy(model, data.testX, data.testY);
  const cost = summary(model);
  const result: CellResult = {
    config,
    width,
    policy: policy.label(),
    testAccuracy: acc,
    finalTrainLoss: loss,
    bitOps: cost.totals.bitOps,
    macs: cost.totals.macs,
    weightBits: cost.totals.paramBits,
    params: cost.totals.params,
    paramsByBits: cost.totals.paramsByBits,
    trainSeconds,
  };
  model.dispose();
  optimizer.dispose();
  return result;
}

/** `--report-only PATH.json`: re-renders PATH.md from a finished run's JSON (no training). */
function reportOnly(jsonPath: string): void {
  const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    command: string;
    date: string;
    backend: string;
    totalSeconds: number;
    settings: GridSettings;
    results: CellResult[];
  };
  const { markdown } = writeReport(saved);
  const mdPath = jsonPath.replace(/\.json$/, '.md');
  writeFileSync(mdPath, markdown);
  log(`wrote ${mdPath}`);
}

async function main() {
  const only = process.argv.indexOf('--report-only');
  // npm runs scripts in the package folder; INIT_CWD is where the user typed the command.
  if (only >= 0) return reportOnly(resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[only + 1] ?? ''));
  const s = parseSettings(process.argv.slice(2));
  tf.enableProdMode();
  // tfjs-node when installed, else wasm-SIMD (or cpu with --backend cpu) with the training kernels registered.
  const { backend } = await selectBackend({ prefer: s.backend, log: false });
  log(
    `backend ${backend}; ${s.train} train / ${s.test} test images, ${s.epochs} epoch(s), batch ${s.batch}, adam ${s.lr}, seed ${s.seed}`,
  );
  const train = await loadFashionMnist({ split: 'train', limit: s.train });
  const test = await loadFashionMnist({ split: 'test', limit: s.test });
  const data = {
    x: train.images,
    y: tf.cast(tf.oneHot(train.labels, 10), 'float32') as tf.Tensor2D,
    testX: test.images,
    testY: test.labels,
  };
  const results: CellResult[] = [];
  const started = Date.now();
  for (const config of s.configs) {
    for (const width of s.widths) {
      const r = await trainCell(s, config, width, data);
      results.push(r);
      log(
        `${config.padEnd(5)} x${width}: test accuracy ${(100 * r.testAccuracy).toFixed(2)}%, loss ${r.finalTrainLoss.toFixed(4)}, bit-ops ${(r.bitOps / 1e6).toFixed(1)} M, weights ${(r.weightBits / 8192).toFixed(1)} KiB, ${r.trainSeconds.toFixed(0)} s (tensors ${tf.memory().numTensors})`,
      );
    }
  }
  const totalSeconds = (Date.now() - started) / 1000;
  const out = resolve(repoRoot, s.out);
  mkdirSync(dirname(out), { recursive: true });
  const command = `npm run start -w examples/wrpn${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const { markdown, json } = writeReport({
    settings: s,
    backend,
    command,
    date: new Date().toISOString(),
    totalSeconds,
    results,
  });
  writeFileSync(`${out}.md`, markdown);
  writeFileSync(`${out}.json`, json);
  log(`wrote ${out}.md and ${out}.json (${totalSeconds.toFixed(0)} s)`);
  tf.dispose([train.images, train.labels, test.images, test.labels, data.y]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
