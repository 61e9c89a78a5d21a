// Helpers that write tiny synthetic data files for the loader tests (not exported by the package).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lowbit-${prefix}-`));
}

/** IDX bytes: ubyte data with the given dims. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(Uint8Array.from(data), header.length);
  return out;
}

/** A 784-byte image whose every pixel is `value` except pixel 0, which is `tag` (makes images distinct). */
export function image(value: number, tag = 0): number[] {
  const px = new Array<number>(784).fill(value);
  px[0] = tag;
  return px;
}

/** Writes an MNIST-style folder with the given labels; image i is filled with (i * 7) % 256, pixel 0 = label. */
export function writeMnistDir(split: 'train' | 'test', labels: number[], dir = tempDir('mnist')): string {
  const pixels: number[] = [];
  labels.forEach((label, i) => pixels.push(...image((i * 7) % 256, label)));
  const names =
    split === 'train'
      ? ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']
      : ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  writeFileSync(join(dir, names[0]), idxBytes([labels.length, 28, 28], pixels));
  writeFileSync(join(dir, names[1]), idxBytes([labels.length], labels));
  return dir;
}

/** Writes a Fashion-MNIST-style folder: classes[c] is the list of images of class c. */
export function writeFashionDir(classes: unknown[][], dir = tempDir('fashion')): string {
  classes.forEach((images, c) => writeFileSync(join(dir, `${c}.json`), JSON.stringify({ data: images })));
  return dir;
}
