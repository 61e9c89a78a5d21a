import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { parseEvoApproxBin } from './evoapprox.js';
import { drumMultiplier } from './families/drum.js';
import { exactMultiplier } from './families/exact.js';
import { truncatedMultiplier } from './families/truncated.js';
import { loadLutFile } from './load-files.js';
import { appMulLibrary } from './library.js';
import { lutByteLength, parseLut, serializeLut } from './lut-file.js';

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
        const loaded = await loadLutFile(file, {
          name: 'mine',
          a: s4,
          w: u3,
          elementBytes,
          elementSigned: true,
          order,
          energyPj: 0.01,
        });
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
    const asWMajor = parseLut(bytes, {
      name: 't',
      a: { bits: 4, signed: false },
      w: { bits: 3, signed: false },
      elementBytes: 1,
      elementSigned: false,
      order: 'w-major',
      energyPj: 0,
    });
    for (let a = 0; a < 8; a++) for (let w = 0; w < 16; w++) expect(asWMajor.product(w, a)).toBe(m.product(a, w));
  });

  it('bad tables and options give typed errors naming the problem', async () => {
    const base = { name: 'bad', a: u3, w: u3, elementBytes: 2 as const, elementSigned: false, energyPj: 0.1 };
    expect(() => parseLut(new Uint8Array(127), base)).toThrow(LowbitDataError);
    expect(() => parseLut(new Uint8Array(127), base)).toThrow(
      /127 bytes, expected 2\^\(3\+3\) = 64 products x 2 bytes = 128/,
    );
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
    expect(() => parseLut(new Uint8Array(128), { ...base, bogusKey: 1 } as never)).toThrow(/options\.bogusKey = 1/);
    expect(() => parseLut(new Uint8Array(128), { ...base, name: '' })).toThrow(/name = ""/);
    expect(() => parseLut(new Uint8Array(128), base, '')).toThrow(/source = ""/);
    expect(() => parseLut(new Uint8Array(128), { ...base, energySource: 'guess' as never })).toThrow(/energySource/);
    const m = truncatedMultiplier({ a: u3, w: u3, columns: 1 });
    expect(() => serializeLut({ table: m.table } as never, 2, false)).toThrow(/m = /);
    expect(() => serializeLut(m, 2, 'no' as never)).toThrow(/elementSigned = "no"/);
    expect(() => serializeLut(m, 2, false, 'row' as never)).toThrow(/order = "row"/);
    const bin = serializeLut(
      exactMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false } }),
      2,
      false,
    );
    expect(() => parseEvoApproxBin(bin, 'x.bin', undefined as never)).toThrow(/figures = undefined/);
    expect(() => parseEvoApproxBin(bin, undefined as never, { pwr: 1 })).toThrow(/source = undefined/);
    expect(parseEvoApproxBin(bin, 'x.bin', { pwr: 0.391 }).isExact()).toBe(true);
  });

  it('rejects a table whose widths, operand order or element format are declared wrong (same byte length)', () => {
    const u4 = { bits: 4, signed: false };
    const m = truncatedMultiplier({ a: u3, w: u4, columns: 2 }); // 3x4 bits, a-major
    const bytes = serializeLut(m, 2, false);
    const opts = { name: 'm', a: u3, w: u4, elementBytes: 2 as const, elementSigned: false, energyPj: 0.1 };
    expect(parseLut(bytes, opts).table).toEqual(m.table);
    // Widths swapped: 4x3 has the same 128 entries.
    expect(() => parseLut(bytes, { ...opts, a: u4, w: u3 })).toThrow(LowbitDataError);
    expect(() => parseLut(bytes, { ...opts, a: u4, w: u3 })).toThrow(
      /reads as a far closer approximation of a \* w with \{ a: 3-bit unsigned, w: 4-bit unsigned, a-major, 2-byte (un)?signed elements \} .*than with the declared \{ a: 4-bit unsigned, w: 3-bit unsigned, a-major/,
    );
    // Order: w-major declared for an a-major table.
    expect(() => parseLut(bytes, { ...opts, order: 'w-major' })).toThrow(
      /wrong bit widths, operand order or element format\? Pass checkLayout: false/,
    );
    // Element width: 128 two-byte products read as 256 one-byte products of a 4x4 multiplier.
    expect(() => parseLut(bytes, { ...opts, a: u4, elementBytes: 1 })).toThrow(
      /with \{ a: 3-bit unsigned, w: 4-bit unsigned, a-major, 2-byte/,
    );
    // Signedness of an operand.
    expect(() => parseLut(bytes, { ...opts, a: { bits: 3, signed: true } })).toThrow(/far closer/);
    // checkLayout: false loads it as declared.
    expect(parseLut(bytes, { ...opts, a: u4, w: u3, checkLayout: false }).a).toEqual(u4);
    expect(() => parseLut(bytes, { ...opts, checkLayout: 'no' as never })).toThrow(/checkLayout = "no"/);
  });

  it('accepts every library design declared right, in every element format and order', () => {
    for (const [a, w] of [
      [u3, s4],
      [s4, s4],
      [
        { bits: 2, signed: false },
        { bits: 5, signed: true },
      ],
    ] as const) {
      for (const m of appMulLibrary({ a, w })) {
        for (const elementBytes of [1, 2, 4] as const) {
          for (const order of ['a-major', 'w-major'] as const) {
            // Some products do not fit one signed byte (approximations overshoot): skip that format.
            const fits = m.table.every((v) => Math.abs(v) < 2 ** (8 * elementBytes - 1));
            if (!fits) continue;
            const bytes = serializeLut(m, elementBytes, true, order);
            expect(
              parseLut(bytes, { name: m.name, a, w, elementBytes, elementSigned: true, order, energyPj: 0 }).table,
            ).toEqual(m.table);
          }
        }
      }
    }
  });

  it('checks an 8x8 table in full (the layout check runs to the end), and gives the byte length to expect', () => {
    const u8 = { bits: 8, signed: false };
    const lib = appMulLibrary({ a: u8, w: u8 });
    const rough = lib[lib.length - 1]!; // the most approximate: the layout check runs in full
    const bytes = serializeLut(rough, 2, false);
    // No timing here (the machine is shared): the check's cost is linear in the table size by construction.
    expect(
      parseLut(bytes, { name: 'r', a: u8, w: u8, elementBytes: 2, elementSigned: false, energyPj: 0 }).table,
    ).toEqual(rough.table);
    expect(lutByteLength({ a: u8, w: u8, elementBytes: 2 })).toBe(131072);
    expect(lutByteLength({ a: u3, w: s4, elementBytes: 4 })).toBe(512);
    expect(() => lutByteLength({ a: u3, w: s4, elementBytes: 3 as never })).toThrow(LowbitConfigError);
    expect(() => parseLut(bytes, null as never)).toThrow(/options = null is invalid/);
  });
});
