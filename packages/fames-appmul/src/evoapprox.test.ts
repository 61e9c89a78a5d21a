import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { parseEvoApproxBin } from './evoapprox.js';
import { loadEvoApproxLibrary, loadEvoApproxMultiplier, readEvoApproxFigures } from './load-files.js';
import { exactMultiplyEnergyPj } from './energy.js';
import { EVOAPPROX_DIR, HAVE_EVOAPPROX } from './test/evoapprox-dir.js';

/** Digits after the decimal point as printed in multipliers.json. */
function decimals(x: number): number {
  const s = String(x);
  if (s.includes('e-')) return Number(s.split('e-')[1]) + (s.split('e-')[0].split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

/** `ours` rounds to `published` at the published number of decimals. */
function agreesToPrintedDigits(ours: number, published: number): boolean {
  const d = decimals(published);
  return Math.abs(ours - published) <= 0.5 * 10 ** -d + 1e-12;
}

describe.skipIf(!HAVE_EVOAPPROX)('EvoApproxLib tables', () => {
  it('recomputed MAE%, WCE%, MRE%, EP% and WCRE% agree with every published figure to its printed digits', async () => {
    const lib = await loadEvoApproxLibrary(EVOAPPROX_DIR);
    const figures = await readEvoApproxFigures(EVOAPPROX_DIR);
    expect(lib.length).toBe(Object.keys(figures).length);
    expect(lib.length).toBeGreaterThanOrEqual(32);
    const mismatches: string[] = [];
    for (const m of lib) {
      const f = figures[m.name];
      const ours = m.metrics();
      const pairs: [string, number, number | undefined][] = [
        ['mae%', ours.maePercent, f['mae%']],
        ['wce%', ours.wcePercent, f['wce%']],
        ['mre%', ours.mrePercent, f['mre%']],
        ['ep%', ours.errorProbabilityPercent, f['ep%']],
        ['wcre%', ours.wcrePercent, f['wcre%']],
      ];
      for (const [key, value, published] of pairs) {
        if (published !== undefined && !agreesToPrintedDigits(value, published))
          mismatches.push(`${m.name} ${key}: ours ${value}, published ${published}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('mul8u_1JFF is exact and carries the exact 8x8 energy; others scale by published power', async () => {
    const exact = await loadEvoApproxMultiplier(EVOAPPROX_DIR, 'mul8u_1JFF');
    expect(exact.isExact()).toBe(true);
    expect(exact.product(255, 255)).toBe(65025);
    expect(exact.energyPj).toBeCloseTo(exactMultiplyEnergyPj(8, 8), 10);
    expect(exact.energySource).toBe('published');
    const small = await loadEvoApproxMultiplier(EVOAPPROX_DIR, 'mul8u_13QR');
    expect(small.isExact()).toBe(false);
    expect(small.energyPj).toBeCloseTo((0.2 * 0.0085) / 0.391, 3);
  });

  it('unknown or unreadable multipliers give typed errors', async () => {
    await expect(loadEvoApproxMultiplier(EVOAPPROX_DIR, 'mul8u_NOPE')).rejects.toThrow(LowbitConfigError);
    await expect(loadEvoApproxMultiplier(EVOAPPROX_DIR, '../etc/passwd')).rejects.toThrow(LowbitConfigError);
    await expect(loadEvoApproxMultiplier('/nonexistent-dir', 'mul8u_1JFF', { pwr: 0.391 })).rejects.toThrow(
      LowbitDataError,
    );
    await expect(readEvoApproxFigures('/nonexistent-dir')).rejects.toThrow(LowbitDataError);
  });
});

describe('parseEvoApproxBin', () => {
  it('rejects a truncated table and a missing power figure', () => {
    expect(() => parseEvoApproxBin(new Uint8Array(65536 * 2 - 2), 'cut.bin', { pwr: 0.1 })).toThrow(
      /131070 bytes, expected/,
    );
    expect(() => parseEvoApproxBin(new Uint8Array(65536 * 2), 'x.bin', { pwr: Number.NaN })).toThrow(LowbitDataError);
  });

  it('parses a synthetic exact table', () => {
    const bytes = new Uint8Array(65536 * 2);
    const view = new DataView(bytes.buffer);
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) view.setUint16((a * 256 + b) * 2, a * b, true);
    const m = parseEvoApproxBin(bytes, 'synthetic', { pwr: 0.391 });
    expect(m.isExact()).toBe(true);
    expect(m.product(3, 200)).toBe(600);
  });
});
