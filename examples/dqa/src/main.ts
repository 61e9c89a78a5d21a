/**
 * DQA example: train a float LeNet-like net on Fashion-MNIST, then quantize its activations
 * after training: direct N-bit against DQA (m extra bits on a fraction r of the channels, ranked
 * by leave-one-out), at N = 3, 4, 5; plus the proxy rankings' agreement with leave-one-out and the
 * real encoded activation sizes. Writes docs/results/dqa.md and docs/results/dqa.json.
 *
 *   npm run start -w examples/dqa               # default settings (32 min measured on a heavily loaded 2-core machine; see README)
 *   npm run start -w examples/dqa -- --quick    # a smoke run (under 2 min)
 *
 * Options: --quick, --backend tensorflow|wasm|cpu (preferred), --epochs E, --train N, --test N, --calib N, --seed S.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '@lowbit/datasets';
import { selectBackend, type BackendName } from '@lowbit/training-kernels';
import {
  buildDqaModel,
  calibrateDqa,
  dqaStorageReport,
  formatStorageReport,
  rankAgreement,
  storageTotal,
  topChannels,
  type ChannelRanking,
  type DqaCalibration,
  type StorageRow,
} from '@lowbit/dqa-activations';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string' },
    epochs: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    calib: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const quick = args.quick === true;
const settings = {
  quick,
  /** Preferred backend; default: selectBackend's order (tfjs-node if installed, else wasm SIMD, else cpu). */
  backend: (args.backend ?? null) as BackendName | null,
  epochs: Number(args.epochs ?? (quick ? 1 : 2)),
  trainSamples: Number(args.train ?? (quick ? 1000 : 12800)),
  testSamples: Number(args.test ?? (quick ? 500 : 10000)),
  calibrationSamples: Number(args.calib ?? (quick ? 64 : 256)),
  storageSamples: quick ? 32 : 256,
  seed: Number(args.seed),
  batchSize: 64,
  bits: [3, 4, 5],
  extraBits: 3,
  importantFractions: [0.25, 0.5],
  /** Fractions evaluated with the proxy rankings (both by default; r = 0.5 only in --quick). */
  proxyFractions: quick ? [0.5] : [0.25, 0.5],
  proxies: ['taylor', 'error-energy'] as ChannelRanking[],
  model: '32C5-relu-MP2-64C5-relu-MP2-512-relu-10-softmax (DQA after each ReLU)',
};
for (const [k, v] of Object.entries({
  epochs: settings.epochs,
  train: settings.trainSamples,
  test: settings.testSamples,
  calib: settings.calibrationSamples,
  seed: settings.seed,
})) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${k} = ${v} is invalid: expected a positive integer`);
}

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const log = (msg: string) => console.log(`[${elapsed()}] ${msg}`);

// selectBackend registers the training kernels (conv backprop that stock wasm lacks and stock cpu
// runs slowly) and starts the fastest backend available.
tf.enableProdMode();
const backendChoice = await selectBackend(settings.backend ? { prefer: settings.backend, log: false } : { log: false });
log(`backend ${tf.getBackend()}: ${backendChoice.reason}`);

const train = await loadFashionMnist({ split: 'train', limit: settings.trainSamples });
const test = await loadFashionMnist({ split: 'test', limit: settings.testSamples });
// Calibration: a class-stratified subset of the training split (post-training quantization data).
const calib = await loadFashionMnist({ split: 'train', limit: settings.calibrationSamples });
log(`data: ${train.count} train, ${test.count} test, ${calib.count} calibration images`);

function lenet(seed: number): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: init(1),
        name: 'conv1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 5, activation: 'relu', kernelInitializer: init(2), name: 'conv2' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(3), name: 'fc1' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(4), name: 'out' }),
    ],
  });
}

function accuracy(model: tfl.LayersModel, images: tf.Tensor, labels: tf.Tensor): number {
  let correct = 0;
  const n = images.shape[0];
  for (let s = 0; s < n; s += 500) {
    const size = Math.min(500, n - s);
    correct += tf.tidy(() => {
      const p = model.predict(tf.slice(images, s, size)) as tf.Tensor;
      return tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.slice(labels, s, size)), 'int32')).dataSync()[0];
    });
  }
  return correct / n;
}

// 1. Float training.
const model = lenet(settings.seed);
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const yTrain = tf.oneHot(train.labels, 10);
const trainStart = performance.now();
await model.fit(train.images, yTrain, {
  epochs: settings.epochs,
  batchSize: settings.batchSize,
  shuffle: true,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) =>
      log(`epoch ${epoch + 1}/${settings.epochs}: loss ${logs?.loss?.toFixed(4)}, acc ${logs?.acc?.toFixed(4)}`),
  },
});
const trainSeconds = (performance.now() - trainStart) / 1000;
yTrain.dispose();
const floatAccuracy = accuracy(model, test.images, test.labels);
log(`float test accuracy ${(100 * floatAccuracy).toFixed(2)}%`);

// 2. Quantization grid.
const calData = { x: calib.images, y: calib.labels };
const storageX = tf.slice(test.images, 0, Math.min(settings.storageSamples, test.count));
const withFraction = (cal: DqaCalibration, r: number): DqaCalibration => ({
  ...cal,
  importantFraction: r,
  layers: cal.layers.map((l) => ({ ...l, important: topChannels(l.scores, Math.round(r * l.channels)) })),
});

interface GridRow {
  bits: number;
  method: 'direct' | 'dqa';
  ranking: ChannelRanking | null;
  importantFraction: number;
  accuracy: number;
  storage: StorageRow | null;
}
const grid: GridRow[] = [];
const agreements: Array<{
  bits: number;
  proxy: ChannelRanking;
  layer: string;
  spearman: number;
  topOverlapAtHalf: number;
  topOverlapAtQuarter: number;
}> = [];
const rankingSeconds: Array<{ bits: number; ranking: ChannelRanking; seconds: number }> = [];
const layerStorage: Array<{ bits: number; importantFraction: number; rows: StorageRow[] }> = [];

async function evaluate(cal: DqaCalibration, bits: number, ranking: ChannelRanking | null, r: number): Promise<void> {
  const q = await buildDqaModel(model, withFraction(cal, r));
  const acc = accuracy(q, test.images, test.labels);
  const rows = dqaStorageReport(q, storageX);
  if (ranking === 'leave-one-out' || r === 0) layerStorage.push({ bits, importantFraction: r, rows });
  grid.push({
    bits,
    method: r === 0 ? 'direct' : 'dqa',
    ranking: r === 0 ? null : ranking,
    importantFraction: r,
    accuracy: acc,
    storage: storageTotal(rows),
  });
  log(
    `N=${bits} ${r === 0 ? 'direct' : `DQA r=${r} (${ranking})`}: ${(100 * acc).toFixed(2)}%, ${storageTotal(rows).bitsPerActivation.toFixed(3)} bits/activation`,
  );
  q.dispose();
}

for (const bits of settings.bits) {
  const rank = (ranking: ChannelRanking) => {
    const start = performance.now();
    const cal = calibrateDqa(model, calData, { bits, extraBits: settings.extraBits, importantFraction: 0.5, ranking });
    rankingSeconds.push({ bits, ranking, seconds: (performance.now() - start) / 1000 });
    log(`N=${bits}: ${ranking} ranking in ${rankingSeconds.at(-1)!.seconds.toFixed(1)} s`);
    return cal;
  };
  const loo = rank('leave-one-out');
  await evaluate(loo, bits, null, 0);
  for (const r of settings.importantFractions) await evaluate(loo, bits, 'leave-one-out', r);
  for (const proxy of settings.proxies) {
    const cal = rank(proxy);
    cal.layers.forEach((l, i) => {
      const ref = loo.layers[i].scores;
      agreements.push({
        bits,
        proxy,
        layer: l.layerName,
        spearman: rankAgreement(ref, l.scores, 1).spearman,
        topOverlapAtHalf: rankAgreement(ref, l.scores, Math.max(1, Math.round(0.5 * l.channels))).topOverlap,
        topOverlapAtQuarter: rankAgreement(ref, l.scores, Math.max(1, Math.round(0.25 * l.channels))).topOverlap,
      });
    });
    for (const r of settings.proxyFractions) await evaluate(cal, bits, proxy, r);
  }
}

// 3. Results.
const date = new Date().toISOString();
const command = `npm run start -w examples/dqa${quick ? ' -- --quick' : ''}`;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const result = {
  command,
  date,
  backend: tf.getBackend(),
  backendReason: backendChoice.reason,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  settings,
  trainSeconds,
  totalSeconds: (performance.now() - t0) / 1000,
  floatAccuracy,
  grid,
  agreements,
  rankingSeconds,
  layerStorage,
};
const root = new URL('../../../', import.meta.url).pathname;
const outDir = join(root, 'docs', 'results');
mkdirSync(outDir, { recursive: true });
const base = quick ? 'dqa-quick' : 'dqa';
writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(result, null, 2)}\n`);

const lines: string[] = [];
lines.push(`# DQA results${quick ? ' (quick run)' : ''}`, '');
lines.push(`Command: \`${command}\`  `);
lines.push(
  `Date: ${date}; backend: ${result.backend} (${result.backendReason}); Node ${result.node}; ${result.cores} cores (${result.cpu}); total ${result.totalSeconds.toFixed(0)} s (training ${trainSeconds.toFixed(0)} s).`,
  '',
);
lines.push(
  `Settings: Fashion-MNIST, ${train.count} training images, ${settings.epochs} epoch(s) of Adam (lr 1e-3, batch ${settings.batchSize}), seed ${settings.seed}; ` +
    `model ${settings.model}; ${calib.count} calibration images (stratified subset of the training split); accuracy on ${test.count} test images; ` +
    `m = ${settings.extraBits}; storage measured by encoding the activations of ${storageX.shape[0]} test images with \`encode\` (Huffman tables per layer).`,
  '',
);
lines.push(`Float model: **${pct(floatAccuracy)}**.`, '');
lines.push('## Accuracy (leave-one-out ranking)', '');
lines.push(
  '| N | float | direct N-bit | DQA r = 0.25 | DQA r = 0.5 | gain at r = 0.5 |',
  '|---:|---:|---:|---:|---:|---:|',
);
for (const bits of settings.bits) {
  const find = (r: number, ranking: ChannelRanking | null) =>
    grid.find((g) => g.bits === bits && g.importantFraction === r && g.ranking === ranking)!;
  const d = find(0, null);
  const q25 = find(0.25, 'leave-one-out');
  const q50 = find(0.5, 'leave-one-out');
  lines.push(
    `| ${bits} | ${pct(floatAccuracy)} | ${pct(d.accuracy)} | ${pct(q25.accuracy)} | ${pct(q50.accuracy)} | ${((q50.accuracy - d.accuracy) * 100).toFixed(2)} pt |`,
  );
}
lines.push('', '## Cheaper rankings', '');
lines.push(
  'Accuracy of DQA with each ranking, and its agreement with leave-one-out per layer (Spearman rho; share of the leave-one-out top-r channels it also picks).',
  '',
);
lines.push('| N | ranking | time (s) | DQA r = 0.25 | DQA r = 0.5 |', '|---:|---|---:|---:|---:|');
for (const bits of settings.bits) {
  for (const ranking of ['leave-one-out', ...settings.proxies] as ChannelRanking[]) {
    const acc = (r: number) => {
      const g = grid.find((row) => row.bits === bits && row.importantFraction === r && row.ranking === ranking);
      return g ? pct(g.accuracy) : '-';
    };
    const secs = rankingSeconds.find((s) => s.bits === bits && s.ranking === ranking)!.seconds;
    lines.push(`| ${bits} | ${ranking} | ${secs.toFixed(1)} | ${acc(0.25)} | ${acc(0.5)} |`);
  }
}
lines.push(
  '',
  '| N | proxy | layer | Spearman rho | top-25% overlap | top-50% overlap |',
  '|---:|---|---|---:|---:|---:|',
);
for (const a of agreements)
  lines.push(
    `| ${a.bits} | ${a.proxy} | ${a.layer} | ${a.spearman.toFixed(3)} | ${a.topOverlapAtQuarter.toFixed(2)} | ${a.topOverlapAtHalf.toFixed(2)} |`,
  );
lines.push('', '## Storage (whole network, encoded activations)', '');
lines.push(
  'Sizes include every byte of the format (header, scales, packed codes, Huffman tables, error bitstream, CRC).',
  '',
);
lines.push(
  '| N | method | bits / activation | error bits / symbol | error entropy | vs float32 | vs direct N-bit |',
  '|---:|---|---:|---:|---:|---:|---:|',
);
for (const g of grid.filter((g) => g.ranking === null || g.ranking === 'leave-one-out')) {
  const s = g.storage!;
  const f = (v: number | null, d: number) => (v === null || Number.isNaN(v) ? '-' : v.toFixed(d));
  lines.push(
    `| ${g.bits} | ${g.method === 'direct' ? 'direct' : `DQA r = ${g.importantFraction}`} | ${f(s.bitsPerActivation, 3)} | ${f(s.errorBitsPerSymbol, 3)} | ${f(s.errorEntropy, 3)} | ${f(s.ratioVsFloat32, 4)} | ${f(s.ratioVsDirect, 3)} |`,
  );
}
for (const ls of layerStorage.filter((l) => l.importantFraction === 0.5)) {
  lines.push('', `### Per layer, N = ${ls.bits}, DQA r = 0.5`, '', formatStorageReport(ls.rows));
}
lines.push('');
writeFileSync(join(outDir, `${base}.md`), lines.join('\n'));
log(`written docs/results/${base}.md and ${base}.json`);
console.log(lines.join('\n'));
