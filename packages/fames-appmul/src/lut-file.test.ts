import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { drumMultiplier } from './families/drum.js';
import { truncatedMultiplier } from './families/truncated.js';
import { loadLutFile } from './load-files.js';
import { parseLut, serializeLut } from './lut-file.js';

const s4 = { bits: 4, signed: true };
const u3 = { bits: 3, signed: false };

describe('LUT files', () => {
  it('round-trips a signed table in both orders and every element width', async () => {
    const m = truncatedMultiplier({ a: s4, w: u3, columns: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'lut-'));
    for (const order of ['a-major', 'w-major'] as const) {
      for (const elementBytes of [1, 2, 4] as const) {
        const bytes = serializeLut(m, elementBytes, true, order);
        const file = join(dir, `m-${order}-${elementBytes}.bin`);
        writeFileSync(file, bytes);
        const loaded = await loadLutFile(file, { name: 'mine', a: s4, w: u3, elementBytes, elementSigned: true, order, energyPj: 0.01 });
        expect(loaded.table).toEqual(m.table);
        expect(loaded.product(-7, 5)).toBe(m.product(-7, 5));
        expect(loaded.energyPj).toBe(0.01);
        expect(loaded.energySource).toBe('user');
      }
    }
  });

  it('w-major order is the transpose of a-major', () => {
    const m = drumMultiplier({ a: { bits: 3, signed: false }, w: { bits: 4, signed: false }, k: 2 });
    const bytes = serializeLut(m, 1, false, 'a-major');
    // Read a-major bytes as if they were w-major: entry (a, w) lands at (i % 8, floor(i / 8)).
    const asWMajor = parseLut(bytes, { name: 't', a: { bits: 4, signed: false }, w: { bits: 3, signed: false }, elementBytes: 1, elementSigned: false, order: 'w-major', energyPj: 0 });
    for (let a = 0; a < 8; a++) for (let w = 0; w < 16; w++) expect(asWMajor.product(w, a)).toBe(m.product(a, w));
  });

  it('bad tables and options give typed errors naming the problem', async () => {
    const base = { name: 'bad', a: u3, w: u3, elementBytes: 2 as const, elementSigned: false, energyPj: 0.1 };
    expect(() => parseLut(new Uint8Array(127), base)).toThrow(LowbitDataError);
    expect(() => parseLut(new Uint8Array(127), base)).toThrow(/127 bytes, expected 2\^\(3\+3\) = 64 products x 2 bytes = 128/);
    expect(() => parseLut(new Uint8Array(128), { ...base, a: { bits: 9, signed: false } })).toThrow(/a.bits = 9/);
    expect(() => parseLut(new Uint8Array(128), { ...base, elementBytes: 3 as never })).toThrow(LowbitConfigError);
    expect(() => parseLut(new Uint8Array(128), { ...base, order: 'row' as never })).toThrow(/order = "row"/);
    expect(() => parseLut(new Uint8Array(128), { ...base, energyPj: -1 })).toThrow(/energyPj = -1/);
    expect(() => parseLut([1, 2] as never, base)).toThrow(/bytes/);
    // 64 uint16 products that are far too large for a 3x3 multiplier: wrong widths / format.
    const big = new Uint8Array(128).fill(0xff);
    expect(() => parseLut(big, base)).toThrow(/65535 at entry 0 does not fit a 3x3-bit multiplier/);
    await expect(loadLutFile('/nonexistent/file.bin', base)).rejects.toThrow(LowbitDataError);
    await expect(loadLutFile('', base)).rejects.toThrow(LowbitConfigError);
    expect(() => serializeLut(truncatedMultiplier({ a: s4, w: s4, columns: 1 }), 1, false)).toThrow(LowbitConfigError);
  });
});
