/**
 * quant-core end to end on Fashion-MNIST: train a 4-bit net (8-bit first/last layers) with
 * model.fit, save it with fileIO, reload it, compare predictions, export integer weights,
 * print its hardware cost, and write docs/results/quant-core.md.
 *
 *   npm run start -w examples/quant-core              (defaults: 12,000 train, 10,000 test, 2 epochs)
 *   npm run start -w examples/quant-core -- --quick   (1,000 train, 1,000 test, 1 epoch)
 *   options: --train N --test N --epochs N --bits N --backend tensorflow|wasm|cpu --out DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadFashionMnist } from '@lowbit/datasets';
import { formatSummary, summary, summaryToMarkdown } from '@lowbit/hw-model';
import { selectBackend, type BackendName } from '@lowbit/training-kernels';
import { trainSaveReload } from './train-save-reload.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    train: { type: 'string' },
    test: { type: 'string' },
    epochs: { type: 'string' },
    bits: { type: 'string', default: '4' },
    backend: { type: 'string' },
    out: { type: 'string' },
  },
});
const int = (name: string, v: string | undefined, dflt: number) => {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} = ${v} is invalid: expected a positive integer`);
  return n;
};
const trainCount = int('train', values.train, values.quick ? 1000 : 12000);
const testCount = int('test', values.test, values.quick ? 1000 : 10000);
const epochs = int('epochs', values.epochs, values.quick ? 1 : 2);
const bits = int('bits', values.bits, 4);
const root = resolve(import.meta.dirname, '../../..');
const dir = values.out ?? join(tmpdir(), `lowbit-quant-core-${process.pid}`);

tf.enableProdMode();
const choice = await selectBackend({ prefer: values.backend as BackendName | undefined });
const train = await loadFashionMnist({ split: 'train', limit: trainCount });
const test = await loadFashionMnist({ split: 'test', limit: testCount });
console.log(
  `Fashion-MNIST: ${train.count} train / ${test.count} test images; ${epochs} epoch(s); inner layers at ${bits} bits`,
);

const result = await trainSaveReload({
  train,
  test,
  epochs,
  bits,
  dir,
  onEpoch: (e, logs) =>
    console.log(`epoch ${e + 1}/${epochs}: loss ${logs?.loss?.toFixed(4)}, accuracy ${logs?.acc?.toFixed(4)}`),
});
console.log(`trained in ${result.trainSeconds.toFixed(1)} s; test accuracy ${(100 * result.testAccuracy).toFixed(2)}%`);
console.log(
  `saved to ${dir} (model.json + weights.bin); reloaded accuracy ${(100 * result.reloadedTestAccuracy).toFixed(2)}%, identical predictions: ${result.identicalPredictions}`,
);
for (const { layer, codes } of result.integerWeights) {
  const [lo, hi] = codes.codeRange();
  console.log(
    `  ${layer}: ${codes.bits}-bit ${codes.signed ? 'signed' : 'unsigned'} codes in [${lo}, ${hi}], shape [${codes.shape}], ${codes.scale.length} scale(s), ${codes.toBytes().length} bytes packed`,
  );
}
const cost = summary(result.model, { batchSize: 1 });
console.log(formatSummary(cost));

const command = `npm run start -w examples/quant-core --${values.quick ? ' --quick' : ''}`;
const page = [
  '# quant-core: train, save, reload, export (Fashion-MNIST)',
  '',
  `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}, backend ${choice.backend} (${choice.reason}).`,
  '',
  `Settings: ${train.count} training images, ${test.count} test images, ${epochs} epoch(s), batch 64, Adam 2e-3; inner layers ${bits}-bit weights (per channel) and activations (EMA range), first and last layers 8-bit.`,
  '',
  '| measure | value |',
  '| --- | --- |',
  `| test accuracy | ${(100 * result.testAccuracy).toFixed(2)}% |`,
  `| test accuracy after save + reload | ${(100 * result.reloadedTestAccuracy).toFixed(2)}% |`,
  `| reloaded predictions identical | ${result.identicalPredictions} |`,
  `| training time | ${result.trainSeconds.toFixed(1)} s |`,
  '',
  '## Integer weights',
  '',
  '| layer | bits | shape | scales | packed bytes |',
  '| --- | --- | --- | --- | --- |',
  ...result.integerWeights.map(
    ({ layer, codes }) =>
      `| ${layer} | ${codes.bits} | [${codes.shape}] | ${codes.scale.length} | ${codes.toBytes().length} |`,
  ),
  '',
  '## Hardware cost (hw-model, batch 1)',
  '',
  summaryToMarkdown(cost),
  '',
].join('\n');
if (!values.quick) {
  mkdirSync(join(root, 'docs/results'), { recursive: true });
  writeFileSync(join(root, 'docs/results/quant-core.md'), page);
  console.log('written docs/results/quant-core.md');
}
train.images.dispose();
train.labels.dispose();
test.images.dispose();
test.labels.dispose();
