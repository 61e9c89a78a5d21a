/**
 * The tensor form every loader returns, and the helpers around it.
 *
 * ```ts
 * const { images, labels } = await loadMnist({ split: 'train', limit: 1000 });
 * const y = oneHotLabels(labels);  // float32 [1000, 10], ready for categoricalCrossentropy
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkKnownKeys, checkOneOf, LowbitConfigError } from '@lowbit/quant-core';

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

export type Split = 'train' | 'test';

export interface LabeledImages {
  /** float32 [n, 28, 28, 1], pixel values / 255, in [0, 1]. The caller disposes it. */
  images: tf.Tensor4D;
  /** int32 [n], class ids 0..9. The caller disposes it. */
  labels: tf.Tensor1D;
  /** n */
  count: number;
  /** Human-readable name of each class id. */
  classNames: readonly string[];
}

export interface LoadOptions {
  split: Split;
  /**
   * Load only this many examples, a class-stratified and deterministic subset (each class keeps
   * its share; the same call returns the same examples). Default: the whole split.
   */
  limit?: number;
  /** Folder holding the data files (default: the files shipped in the npm package). For tests. */
  dataDir?: string;
}

/** Validates the options shared by the loaders and returns them with defaults filled in. */
export function checkLoadOptions(
  fn: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): { split: Split; limit: number | undefined; dataDir: string | undefined } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new LowbitConfigError(`${fn}(options)`, options, "expected an object like { split: 'train' }");
  }
  checkKnownKeys(`${fn}(options)`, options, ['split', 'limit', 'dataDir', ...extraKeys]);
  const o = options as Record<string, unknown>;
  const split = checkOneOf<Split>('split', o.split, ['train', 'test']);
  const limit = o.limit === undefined ? undefined : checkInteger('limit', o.limit, 1, Number.MAX_SAFE_INTEGER);
  if (o.dataDir !== undefined && (typeof o.dataDir !== 'string' || o.dataDir === '')) {
    throw new LowbitConfigError('dataDir', o.dataDir, 'expected a non-empty folder path');
  }
  return { split, limit, dataDir: o.dataDir as string | undefined };
}

/**
 * Builds the tensors from raw bytes: `pixels` holds 784 bytes per example, `order` lists which
 * examples to take (in output order).
 */
export function toLabeledImages(
  pixels: Uint8Array,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  classNames: readonly string[],
): LabeledImages {
  const n = order.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const src = i * PIXELS;
    const dst = k * PIXELS;
    for (let p = 0; p < PIXELS; p++) x[dst + p] = pixels[src + p] / 255;
    y[k] = labels[i];
  }
  return {
    images: tf.tensor4d(x, [n, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32'),
    labels: tf.tensor1d(y, 'int32'),
    count: n,
    classNames,
  };
}

/**
 * One-hot float32 targets [n, numClasses] from int32 class ids [n] (what
 * `categoricalCrossentropy` expects; `tf.oneHot` alone returns int32).
 */
export function oneHotLabels(labels: tf.Tensor1D, numClasses = NUM_CLASSES): tf.Tensor2D {
  checkInteger('numClasses', numClasses, 2, 65536);
  if (labels.rank !== 1 || labels.dtype !== 'int32') {
    throw new LowbitConfigError(
      'labels',
      labels,
      `expected an int32 tensor of rank 1, got ${labels.dtype} of rank ${labels.rank}`,
    );
  }
  return tf.tidy(() => tf.cast(tf.oneHot(labels, numClasses), 'float32') as tf.Tensor2D);
}
