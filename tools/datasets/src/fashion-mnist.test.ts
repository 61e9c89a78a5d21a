import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import {
  clearFashionMnistCache,
  fashionMnistSplitOrder,
  fashionMnistStats,
  FASHION_MNIST_CLASS_NAMES,
  loadFashionMnist,
} from './fashion-mnist.js';
import { image, tempDir, writeFashionDir } from './test-fixtures.js';

const dirs: string[] = [];
function dir(classes: unknown[][]): string {
  const d = writeFashionDir(classes);
  dirs.push(d);
  return d;
}
afterAll(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  clearFashionMnistCache();
});

/** 10 classes, class c has `perClass` distinct images: every pixel = c * 20 + 1, pixel 0 = index. */
function classes(perClass: number): number[][][] {
  return Array.from({ length: 10 }, (_, c) => Array.from({ length: perClass }, (_, i) => image(c * 20 + 1, i)));
}

describe('loadFashionMnist on synthetic JSON files', () => {
  it('drops empty entries and duplicates; an image under two labels is dropped entirely', async () => {
    const data = classes(14);
    data[0].push([], data[0][3]); // an empty entry and a same-label duplicate
    data[6].push(data[0][5]); // data[0][5] now carries labels 0 and 6
    const d = dir(data);
    const stats = await fashionMnistStats(d);
    expect(stats).toEqual({
      entries: 143,
      emptyEntries: 1,
      duplicatesDropped: 1,
      conflictingDropped: 2,
      perClass: [13, 14, 14, 14, 14, 14, 14, 14, 14, 14],
    });
  });

  it('splits each class floor(n/2) test (at most 1,000) / rest train, disjoint, covering every image', async () => {
    const d = dir(classes(14));
    const train = await loadFashionMnist({ split: 'train', dataDir: d });
    const test = await loadFashionMnist({ split: 'test', dataDir: d });
    expect(test.count).toBe(70); // floor(14 / 2) = 7 per class
    expect(train.count).toBe(70);
    const key = (px: Float32Array, k: number) =>
      `${Math.round(px[k * 784 + 1] * 255)}:${Math.round(px[k * 784] * 255)}`;
    const trainKeys = new Set(Array.from({ length: 70 }, (_, k) => key(train.images.dataSync() as Float32Array, k)));
    const testKeys = Array.from({ length: 70 }, (_, k) => key(test.images.dataSync() as Float32Array, k));
    expect(trainKeys.size).toBe(70);
    for (const k of testKeys) expect(trainKeys.has(k)).toBe(false);
    // labels agree with the class each image was written under (pixel 1 = c * 20 + 1)
    const px = test.images.dataSync();
    const y = test.labels.dataSync();
    for (let k = 0; k < 70; k++) expect(Math.round(px[k * 784 + 1] * 255)).toBe(y[k] * 20 + 1);
    for (let c = 0; c < 10; c++) expect(Array.from(y).filter((l) => l === c).length).toBe(7);
    expect(test.classNames).toBe(FASHION_MNIST_CLASS_NAMES);
    tf.dispose([train.images, train.labels, test.images, test.labels]);
  });

  it('is deterministic per seed, interleaves classes, and a different seed gives a different split', () => {
    const labels = Array.from({ length: 700 }, (_, i) => Math.floor(i / 70));
    const a = fashionMnistSplitOrder(labels, 'test', 5);
    expect(fashionMnistSplitOrder(labels, 'test', 5)).toEqual(a);
    expect(new Set(fashionMnistSplitOrder(labels, 'test', 6))).not.toEqual(new Set(a));
    expect(a.slice(0, 10).map((i) => labels[i])).not.toEqual(new Array(10).fill(labels[a[0]]));
  });

  it('limit is a stratified subset of the split', async () => {
    const d = dir(classes(14));
    const { labels, images } = await loadFashionMnist({ split: 'train', limit: 30, dataDir: d }); // 7 per class in the split
    const y = Array.from(labels.dataSync());
    for (let c = 0; c < 10; c++) expect(y.filter((l) => l === c).length).toBe(3);
    tf.dispose([images, labels]);
  });

  const corrupt: [string, (d: string) => void, RegExp][] = [
    [
      'truncated JSON',
      (d) => writeFileSync(join(d, '3.json'), JSON.stringify({ data: [image(1)] }).slice(0, 500)),
      /3\.json: not valid JSON/,
    ],
    [
      'a JSON file without data',
      (d) => writeFileSync(join(d, '4.json'), '{"images": []}'),
      /4\.json: expected an object \{ "data"/,
    ],
    [
      'a short image',
      (d) => writeFileSync(join(d, '5.json'), JSON.stringify({ data: [image(1), [1, 2, 3]] })),
      /5\.json: image 1 is corrupt: .*an array of 3/,
    ],
    [
      'a pixel above 255',
      (d) => writeFileSync(join(d, '2.json'), JSON.stringify({ data: [image(256)] })),
      /2\.json: image 0 is corrupt: .*outside 0\.\.255/,
    ],
    ['a missing class file', (d) => rmSync(join(d, '9.json')), /9\.json: cannot read/],
  ];
  for (const [name, damage, message] of corrupt) {
    it(`rejects ${name} with LowbitDataError`, async () => {
      const d = dir(classes(3));
      damage(d);
      const err = await loadFashionMnist({ split: 'train', dataDir: d }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LowbitDataError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('does not cache a failed read', async () => {
    const d = tempDir('fashion');
    dirs.push(d);
    await expect(loadFashionMnist({ split: 'test', dataDir: d })).rejects.toThrow(LowbitDataError);
    writeFashionDir(classes(7), d);
    const { count, images, labels } = await loadFashionMnist({ split: 'test', dataDir: d });
    expect(count).toBe(30); // floor(7 / 2) = 3 per class
    tf.dispose([images, labels]);
  });
});

describe('loadFashionMnist argument checks', () => {
  const bad: [string, unknown, string][] = [
    ['a string instead of options', 'train', 'loadFashionMnist(options)'],
    ['unknown split', { split: 'val' }, 'split'],
    ['negative limit', { split: 'test', limit: -3 }, 'limit'],
    ['fractional seed', { split: 'test', seed: 1.5 }, 'seed'],
    ['limit over the split size', { split: 'test', limit: 10_001 }, 'limit'],
    ['unknown option', { split: 'test', limt: 5 }, 'loadFashionMnist(options).limt'],
  ];
  for (const [name, options, argument] of bad) {
    it(`throws LowbitConfigError for ${name}`, async () => {
      const err = await loadFashionMnist(options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LowbitConfigError);
      expect((err as LowbitConfigError).argument).toBe(argument);
    });
  }
});

describe('loadFashionMnist on the real fashion-mnist files', () => {
  it('finds the known quirks and splits into 10,000 test images, 1,000 per class', async () => {
    const stats = await fashionMnistStats();
    expect(stats.entries).toBe(70_002);
    expect(stats.emptyEntries).toBe(2);
    // 53 same-label copies, plus one image filed under both T-shirt/top and Shirt (2 copies)
    expect(stats.duplicatesDropped).toBe(53);
    expect(stats.conflictingDropped).toBe(2);
    const kept = stats.perClass.reduce((a, b) => a + b, 0);
    expect(kept).toBe(70_000 - 55);
    const { images, labels, count } = await loadFashionMnist({ split: 'test', limit: 100 });
    expect(count).toBe(100);
    expect(images.shape).toEqual([100, 28, 28, 1]);
    const y = Array.from(labels.dataSync());
    for (let c = 0; c < 10; c++) expect(y.filter((l) => l === c).length).toBe(10);
    tf.dispose([images, labels]);
    const labelsOnly = Uint8Array.from(stats.perClass.flatMap((n, c) => new Array<number>(n).fill(c)));
    expect(fashionMnistSplitOrder(labelsOnly, 'test', 20171025).length).toBe(10_000);
    expect(fashionMnistSplitOrder(labelsOnly, 'train', 20171025).length).toBe(59_945);
  });
});
