// Times a full load of every split (the figures in README.md): npm run bench -w tools/datasets
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { clearFashionMnistCache, loadFashionMnist, loadMnist } from '../src/index.js';

tf.enableProdMode();
await tf.setBackend('cpu');
async function time(
  label: string,
  load: () => Promise<{ images: tf.Tensor; labels: tf.Tensor; count: number }>,
): Promise<void> {
  const t0 = performance.now();
  const { images, labels, count } = await load();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(44)} ${String(count).padStart(6)} images  ${(ms / 1000).toFixed(2)} s`);
  tf.dispose([images, labels]);
}
await time('loadMnist train', () => loadMnist({ split: 'train' }));
await time('loadMnist test', () => loadMnist({ split: 'test' }));
clearFashionMnistCache();
await time('loadFashionMnist train (parses the JSON)', () => loadFashionMnist({ split: 'train' }));
await time('loadFashionMnist test (cached bytes)', () => loadFashionMnist({ split: 'test' }));
clearFashionMnistCache();
await time('loadFashionMnist test (parses the JSON)', () => loadFashionMnist({ split: 'test' }));
