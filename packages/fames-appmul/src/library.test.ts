import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { appMulLibrary } from './library.js';

describe('appMulLibrary', () => {
  it('builds exact + approximate designs for every width 2..8 pair (spot-checked signedness)', () => {
    for (const [ba, bw] of [
      [2, 2],
      [3, 8],
      [7, 5],
      [6, 6],
    ]) {
      {
        for (const [sa, sw] of [
          [false, true],
          [true, false],
        ]) {
          const lib = appMulLibrary({ a: { bits: ba, signed: sa }, w: { bits: bw, signed: sw } });
          expect(lib[0].family).toBe('exact');
          expect(lib[0].isExact()).toBe(true);
          expect(lib.length).toBeGreaterThanOrEqual(4);
          expect(new Set(lib.map((m) => m.name)).size).toBe(lib.length);
          for (const m of lib.slice(1)) {
            expect(m.isExact()).toBe(false);
            expect(m.table.length).toBe(2 ** (ba + bw));
            expect(m.energySource).toBe('gate-count proxy');
            expect(m.energyPj).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('8x8 library covers all seven families and most designs save energy', () => {
    const lib = appMulLibrary({ a: { bits: 8, signed: false }, w: { bits: 8, signed: true } });
    expect(new Set(lib.map((m) => m.family))).toEqual(
      new Set(['exact', 'truncated', 'broken-array', 'operand-truncation', 'mitchell', 'drum', 'underdesigned']),
    );
    const cheaper = lib.filter((m) => m.energyPj < lib[0].energyPj);
    expect(cheaper.length).toBeGreaterThan(lib.length / 2);
    expect(appMulLibrary({ a: { bits: 8, signed: false }, w: { bits: 8, signed: true } })).toBe(lib); // cached
  });

  it('rejects bad operands', () => {
    expect(() => appMulLibrary({ a: { bits: 4, signed: false }, w: { bits: 0, signed: false } })).toThrow(
      LowbitConfigError,
    );
    expect(() => appMulLibrary(undefined as never)).toThrow(LowbitConfigError);
  });
});
