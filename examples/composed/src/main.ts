/**
 * The composed example: WRPN + log-domain + FAMES + DQA in one Fashion-MNIST model (see
 * composed.ts). Trains with model.fit, selects fc1's multiplier with FAMES, applies DQA, saves,
 * reloads, checks the integer export layer by layer, costs it with hw-model, and writes
 * docs/results/composed.md and .json.
 *
 *   npm run start -w examples/composed              # 6,000 train / 2,000 test images, 2 epochs
 *   npm run start -w examples/composed -- --quick   # smoke run: 1,000 / 500, 1 epoch
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist, oneHotLabels } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { selectBackend } from '@lowbit/training-kernels';
import { applyComposedDqa, composedNet, describeParts, integerExportCheck, selectFc1Multiplier } from './composed.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const quick = args.quick!;
const settings = {
  quick,
  train: quick ? 1000 : 6000,
  test: quick ? 500 : 2000,
  calibration: quick ? 128 : 256,
  epochs: quick ? 1 : 2,
  batch: 64,
  lr: 1e-3,
  seed: Number(args.seed),
  sizes: { conv1: 16, conv2: 32, fc: 256 },
  famesBudget: 0.02,
};
if (!Number.isInteger(settings.seed) || settings.seed < 0)
  throw new Error(`--seed must be a non-negative integer, got "${args.seed}"`);
if (args.backend !== 'wasm' && args.backend !== 'cpu')
  throw new Error(`--backend must be wasm or cpu, got "${args.backend}"`);

function accuracy(model: tfl.LayersModel, images: tf.Tensor, labels: tf.Tensor1D): number {
  let correct = 0;
  const n = images.shape[0]!;
  for (let s = 0; s < n; s += 500) {
    const size = Math.min(500, n - s);
    correct += tf.tidy(() => {
      const p = model.predict(tf.slice(images, s, size)) as tf.Tensor;
      return tf
        .sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.cast(tf.slice(labels, s, size), 'int32')), 'int32'))
        .dataSync()[0]!;
    });
  }
  return correct / n;
}

async function main(): Promise<void> {
  const backend = await selectBackend({ prefer: args.backend as 'wasm' | 'cpu' });
  log(`backend ${backend.backend} (${backend.reason})`);
  const train = await loadFashionMnist({ split: 'train', limit: settings.train });
  const test = await loadFashionMnist({ split: 'test', limit: settings.test });
  const calib = {
    images: tf.slice(train.images, 0, settings.calibration),
    labels: tf.slice(train.labels, 0, settings.calibration),
  };

  const model = composedNet({ ...settings.sizes, seed: settings.seed });
  model.compile({ optimizer: tf.train.adam(settings.lr), loss: 'categoricalCrossentropy' });
  const y = oneHotLabels(train.labels);
  const t0 = performance.now();
  const history = await model.fit(train.images, y, {
    epochs: settings.epochs,
    batchSize: settings.batch,
    shuffle: false,
    verbose: 0,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  y.dispose();
  const trainedAccuracy = accuracy(model, test.images, test.labels);
  const exactCost = summary(model, { batchSize: 1 }).totals;
  log(
    `trained ${settings.epochs} epoch(s) in ${trainSeconds.toFixed(0)} s: ${(100 * trainedAccuracy).toFixed(2)}% test accuracy (exact fc1 products)`,
  );

  const yCalib = oneHotLabels(calib.labels as tf.Tensor1D);
  const fames = selectFc1Multiplier(model, calib.images, yCalib, { budget: settings.famesBudget });
  yCalib.dispose();
  const famesAccuracy = accuracy(model, test.images, test.labels);
  // Costed here, before DQA widens fc2's input codes, so the difference to exactCost is fc1's multiplier alone.
  const appMulCost = summary(model, { batchSize: 1 }).totals;
  log(
    `FAMES chose ${fames.multiplier} for fc1 among ${fames.candidates} designs in ${fames.seconds.toFixed(1)} s: ${(100 * famesAccuracy).toFixed(2)}%`,
  );

  const final = await applyComposedDqa(model, calib.images, calib.labels);
  const finalAccuracy = accuracy(final, test.images, test.labels);
  log(`DQA on the hidden activations: ${(100 * finalAccuracy).toFixed(2)}%`);

  // Save, reload: identical predictions.
  const dir = mkdtempSync(join(tmpdir(), 'lowbit-composed-'));
  await saveModel(final, dir);
  const reloaded = await loadModel(dir);
  const probe = tf.slice(test.images, 0, 200);
  const a = (final.predict(probe) as tf.Tensor).dataSync();
  const b = (reloaded.predict(probe) as tf.Tensor).dataSync();
  const reloadIdentical = a.length === b.length && a.every((v, i) => v === b[i]);
  rmSync(dir, { recursive: true, force: true });
  const integer = integerExportCheck(reloaded, tf.slice(test.images, 0, 64));
  const cost = summary(reloaded, { batchSize: 1 });
  log(
    `reload identical: ${reloadIdentical}; integer export: ${integer.map((r) => `${r.layer} ${r.bitExact ? 'bit-exact' : r.maxRelativeDiff.toExponential(1)}`).join(', ')}`,
  );

  const result = {
    settings,
    backend: backend.backend,
    machine: { cpus: (await import('node:os')).cpus().length, loadavg: (await import('node:os')).loadavg() },
    parts: describeParts(reloaded),
    trainSeconds,
    finalLoss: (history.history.loss as number[]).at(-1),
    accuracy: { trained: trainedAccuracy, withAppMul: famesAccuracy, withDqa: finalAccuracy },
    fames,
    reloadIdentical,
    integerExport: integer,
    cost: {
      energyPj: cost.totals.energyPj,
      computePj: cost.totals.computePj,
      computePjExactFc1: exactCost.computePj,
      computePjAppMulFc1: appMulCost.computePj,
      bitOps: cost.totals.bitOps,
      paramBits: cost.totals.paramBits,
      vsFloat32: cost.ratios.vsFloat32,
      vsInt8: cost.ratios.vsInt8,
    },
  };
  const out = args.out ?? join(repoRoot, 'docs/results', quick ? 'composed-quick' : 'composed');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${out}.md`, markdown(result));
  log(`wrote ${out}.md and .json`);
}

function markdown(r: {
  settings: typeof settings;
  backend: string;
  parts: ReturnType<typeof describeParts>;
  trainSeconds: number;
  accuracy: { trained: number; withAppMul: number; withDqa: number };
  fames: ReturnType<typeof selectFc1Multiplier>;
  reloadIdentical: boolean;
  integerExport: ReturnType<typeof integerExportCheck>;
  cost: {
    energyPj: number;
    computePj: number;
    computePjExactFc1: number;
    computePjAppMulFc1: number;
    bitOps: number;
    vsFloat32: { energyPj: number | null; bitOps: number | null; paramBits: number | null };
    vsInt8: { energyPj: number | null };
  };
}): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const ratio = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(3)}x`);
  const s = r.settings;
  return `# Composed: WRPN + log-domain + FAMES + DQA in one model

Produced by \`npm run start -w examples/composed${s.quick ? ' -- --quick' : ''}\` (Fashion-MNIST, ${s.train} training / ${s.test} test
images, ${s.epochs} epoch(s), batch ${s.batch}, Adam ${s.lr}, seed ${s.seed}, ${r.backend} backend). Numbers below are from
that run's JSON (\`${s.quick ? 'composed-quick' : 'composed'}.json\`).

## The model: generic layers with parts of four techniques

| layer | class | parts |
| --- | --- | --- |
${r.parts.map((p) => `| ${p.layer} | ${p.className} | ${p.parts} |`).join('\n')}

## Results

| stage | test accuracy |
| --- | --- |
| trained with \`model.fit\` (WRPN 2x w4a4, log-coded conv2 input, exact fc1) | ${pct(r.accuracy.trained)} |
| + FAMES: fc1 multiplies through \`${r.fames.multiplier}\` (chosen among ${r.fames.candidates} designs in ${r.fames.seconds.toFixed(1)} s, budget ${s.famesBudget}) | ${pct(r.accuracy.withAppMul)} |
| + DQA on the hidden activations (4-bit, 3 extra bits on half the channels) | ${pct(r.accuracy.withDqa)} |

- Training: ${r.trainSeconds.toFixed(0)} s.
- Saved with \`saveModel\`, reloaded with \`loadModel\`: predictions ${r.reloadIdentical ? 'identical' : 'DIFFERENT'}.
- Integer export (\`integerForward\` from \`exportQuantized()\` codes vs the forward pass, on the reloaded model):
${r.integerExport.map((e) => `  ${e.layer} ${e.bitExact ? 'bit-exact' : `max relative difference ${e.maxRelativeDiff.toExponential(2)}`}`).join(';\n')}.
- hw-model (batch 1, default Horowitz 45 nm table): energy ${r.cost.energyPj.toFixed(0)} pJ, ${ratio(r.cost.vsFloat32.energyPj)} of the
  float32 net and ${ratio(r.cost.vsInt8.energyPj)} of int8; bit-ops ${ratio(r.cost.vsFloat32.bitOps)} of float32; weight memory
  ${ratio(r.cost.vsFloat32.paramBits)}. Compute energy before DQA: ${r.cost.computePjExactFc1.toFixed(0)} pJ with fc1 exact,
  ${r.cost.computePjAppMulFc1.toFixed(0)} pJ with the AppMul in fc1; with DQA (whose extra bits widen fc2's input codes):
  ${r.cost.computePj.toFixed(0)} pJ.
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
