import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { exactMultiplier } from './families/exact.js';
import { truncatedMultiplier } from './families/truncated.js';
import { loadEvoApproxMultiplier, loadLutFile, readEvoApproxFigures } from './load-files.js';
import { lutByteLength, serializeLut, type LutOptions } from './lut-file.js';
import { readBoundedFile } from './read-bounded.js';

const u3 = { bits: 3, signed: false };
const s4 = { bits: 4, signed: true };
const options: LutOptions = { name: 'm', a: u3, w: s4, elementBytes: 2, elementSigned: true, energyPj: 0.01 };
const m = truncatedMultiplier({ a: u3, w: s4, columns: 2 });

/** A FIFO with no writer: opening it for reading would wait forever. */
function makeFifo(dir: string): string | null {
  const path = join(dir, 'pipe.bin');
  try {
    execFileSync('mkfifo', [path]);
    return path;
  } catch {
    return null; // no mkfifo (Windows): the FIFO cases are skipped
  }
}

describe('file loaders read only regular files of the size the format allows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lowbit-load-'));
  const fifo = makeFifo(dir);
  const good = join(dir, 'good.bin');
  writeFileSync(good, serializeLut(m, 2, true));

  it('loads a regular file of exactly lutByteLength bytes', async () => {
    expect(lutByteLength(options)).toBe(256);
    const loaded = await loadLutFile(good, options);
    expect(loaded.table).toEqual(m.table);
  });

  it.skipIf(fifo === null)('rejects a FIFO without waiting for a writer', async () => {
    await expect(loadLutFile(fifo!, options)).rejects.toThrow(LowbitDataError);
    await expect(loadLutFile(fifo!, options)).rejects.toThrow(
      /pipe\.bin: is a FIFO \(named pipe\), expected a regular file/,
    );
    await expect(readBoundedFile(fifo!, { maxBytes: 10 })).rejects.toThrow(/FIFO/);
  });

  it.skipIf(!existsSync('/dev/zero'))('rejects /dev/zero (a device that never ends) before reading', async () => {
    await expect(loadLutFile('/dev/zero', options)).rejects.toThrow(LowbitDataError);
    await expect(loadLutFile('/dev/zero', options)).rejects.toThrow(/\/dev\/zero: is a character device/);
  });

  it('rejects a folder, a missing file, a truncated and an oversize file, naming the path', async () => {
    await expect(loadLutFile(dir, options)).rejects.toThrow(/is a folder, expected a regular file/);
    await expect(loadLutFile(join(dir, 'missing.bin'), options)).rejects.toThrow(LowbitDataError);
    const truncated = join(dir, 'truncated.bin');
    writeFileSync(truncated, serializeLut(m, 2, true).subarray(0, 255));
    await expect(loadLutFile(truncated, options)).rejects.toThrow(LowbitDataError);
    await expect(loadLutFile(truncated, options)).rejects.toThrow(
      /truncated\.bin: holds 255 bytes, expected 256 bytes for a 3x4-bit LUT of 2-byte products: the file is truncated/,
    );
    const oversize = join(dir, 'oversize.bin');
    writeFileSync(oversize, new Uint8Array(10 * 2 ** 20));
    await expect(loadLutFile(oversize, options)).rejects.toThrow(
      /oversize\.bin: holds 10485760 bytes, expected 256 bytes .*: the file is oversize/,
    );
  });

  it('checks the options before touching the file', async () => {
    // Bad widths are a config error even for a path that would hang (the FIFO) or does not exist.
    await expect(loadLutFile(fifo ?? '/nonexistent', { ...options, a: { bits: 9, signed: false } })).rejects.toThrow(
      LowbitConfigError,
    );
    await expect(loadLutFile(good, { ...options, elementBytes: 3 as never })).rejects.toThrow(/elementBytes = 3/);
    await expect(loadLutFile(good, null as never)).rejects.toThrow(LowbitConfigError);
  });

  it('rejects a table declared with other widths (another size) or another operand order (same size)', async () => {
    // 4x3 bits of 1-byte products is 128 bytes: the 256-byte file is oversize for it.
    await expect(loadLutFile(good, { ...options, a: s4, w: u3, elementBytes: 1 })).rejects.toThrow(/oversize/);
    // 4x4 bits of 1-byte products is also 256 bytes: the layout check names the better reading.
    await expect(loadLutFile(good, { ...options, a: { bits: 4, signed: false }, elementBytes: 1 })).rejects.toThrow(
      /good\.bin: reads as a far closer approximation of a \* w with \{ a: 3-bit unsigned, w: 4-bit signed/,
    );
    // Same widths, w-major declared for an a-major table of a non-square multiplier.
    await expect(loadLutFile(good, { ...options, order: 'w-major' })).rejects.toThrow(/operand order/);
  });

  it('EvoApproxLib loaders: exact .bin size, bounded multipliers.json, regular files only', async () => {
    const evo = join(dir, 'evo');
    mkdirSync(evo);
    const exact8 = exactMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false } });
    writeFileSync(join(evo, 'mul8u_1JFF.bin'), serializeLut(exact8, 2, false));
    writeFileSync(join(evo, 'mul8u_SHORT.bin'), new Uint8Array(1000));
    const figures = { mul8u_1JFF: { pwr: 0.391 }, mul8u_SHORT: { pwr: 0.1 }, mul8u_PIPE: { pwr: 0.1 } };
    writeFileSync(join(evo, 'multipliers.json'), JSON.stringify({ multipliers: figures }));
    if (fifo) execFileSync('mkfifo', [join(evo, 'mul8u_PIPE.bin')]);
    expect((await loadEvoApproxMultiplier(evo, 'mul8u_1JFF')).isExact()).toBe(true);
    await expect(loadEvoApproxMultiplier(evo, 'mul8u_SHORT')).rejects.toThrow(
      /mul8u_SHORT\.bin: holds 1000 bytes, expected 131072 bytes/,
    );
    if (fifo) await expect(loadEvoApproxMultiplier(evo, 'mul8u_PIPE')).rejects.toThrow(/FIFO/);
    await expect(loadEvoApproxMultiplier(evo, 'toString')).rejects.toThrow(/not listed/);
    const big = join(dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'multipliers.json'), new Uint8Array(4 * 2 ** 20 + 1).fill(0x20));
    await expect(readEvoApproxFigures(big)).rejects.toThrow(/at most 4194304 bytes are allowed/);
    await expect(readEvoApproxFigures(dir)).rejects.toThrow(LowbitDataError); // no multipliers.json
    await expect(loadEvoApproxMultiplier(undefined as never, 'mul8u_1JFF', { pwr: 1 })).rejects.toThrow(/dir/);
  });

  it('readBoundedFile checks its rule', async () => {
    expect(Array.from(await readBoundedFile(good, { maxBytes: 256 }))).toHaveLength(256);
    await expect(readBoundedFile(good, { maxBytes: 255 })).rejects.toThrow(/oversize/);
    await expect(readBoundedFile(good, {} as never)).rejects.toThrow(LowbitConfigError);
    await expect(readBoundedFile(good, { exactBytes: 1, maxBytes: 2 } as never)).rejects.toThrow(LowbitConfigError);
    await expect(readBoundedFile(good, { maxBytes: -1 })).rejects.toThrow(/maxBytes = -1/);
  });
});
