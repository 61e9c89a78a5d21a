import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { DEFAULTS, parseSettings } from './settings.js';

describe('parseSettings', () => {
  it('gives every arm the default budget and reads the flags', () => {
    expect(parseSettings([])).toEqual(DEFAULTS.default);
    expect(parseSettings(['--quick'])).toEqual(DEFAULTS.quick);
    const s = parseSettings(['--seeds', '2', '--steps', '120', '--sweep', '6', '--out', 'x/y']);
    expect(s).toMatchObject({ seeds: [2], steps: 120, sweep: [6], out: 'x/y', pool: 60000, test: 10000 });
    expect(DEFAULTS.default.seeds).toEqual([1, 2]); // parsing does not change the defaults
  });
  it('rejects budgets the loop cannot give every arm, by flag name', () => {
    expect(() => parseSettings(['--steps', '100'])).toThrow(/--steps.*multiple of --chunks/s);
    expect(() => parseSettings(['--pool', '1000', '--steps', '60'])).toThrow(/one pass over --pool/);
    expect(() => parseSettings(['--seeds', '1', '--sweep-seeds', '2'])).toThrow(/--sweep-seeds/);
    expect(() => parseSettings(['--curve-test', '20000'])).toThrow(LowbitConfigError);
  });
  it('rejects unknown flags, bad numbers and repeated values', () => {
    expect(() => parseSettings(['--full'])).toThrow(/known flags/);
    expect(() => parseSettings(['--steps'])).toThrow(/--steps/);
    expect(() => parseSettings(['--seeds', '1,1'])).toThrow(/distinct/);
    expect(() => parseSettings(['--sweep', '8'])).toThrow(/--sweep/);
    expect(() => parseSettings(['--backend', 'gpu'])).toThrow(/wasm/);
  });
});
