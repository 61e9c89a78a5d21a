import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { AppMul, behaviouralAppMul, exactReferenceGates } from './appmul.js';

const u2 = { bits: 2, signed: false };
const exactTable = () => Int32Array.from({ length: 16 }, (_, i) => (i >> 2) * (i & 3));
const init = () => ({
  name: 'm',
  family: 'lut',
  a: u2,
  w: u2,
  table: exactTable(),
  energyPj: 0.01,
  energySource: 'user' as const,
});

describe('AppMul', () => {
  it('holds a checked table; product reads it by bit pattern', () => {
    const m = new AppMul({ ...init(), gates: 12, params: { k: 1 } });
    expect(m.product(3, 2)).toBe(6);
    expect(m.isExact()).toBe(true);
    expect(m.params).toEqual({ k: 1 });
    expect(() => m.product(4, 0)).toThrow(/a = 4/);
    expect(() => m.product(0, 0.5)).toThrow(/w = 0.5/);
  });

  it('rejects bad construction options with typed errors naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /init = undefined/],
      [{ ...init(), bogusKey: 1 }, /init\.bogusKey = 1/],
      [{ ...init(), family: undefined }, /family = undefined/],
      [{ ...init(), energySource: 'guess' }, /energySource = "guess"/],
      [{ ...init(), gates: NaN }, /gates = NaN/],
      [{ ...init(), params: { k: NaN } }, /params\.k = NaN/],
      [{ ...init(), params: 'nope' }, /params = "nope"/],
      [{ ...init(), energyPj: -1 }, /energyPj = -1/],
    ];
    for (const [options, message] of cases) {
      expect(() => new AppMul(options as never)).toThrow(LowbitConfigError);
      expect(() => new AppMul(options as never)).toThrow(message);
    }
    expect(() => new AppMul({ ...init(), table: new Int32Array(15) })).toThrow(LowbitDataError);
  });

  it('behaviouralAppMul checks its arguments and every product of the core', () => {
    const ops = { a: u2, w: u2 };
    const mul = (x: number, y: number) => x * y;
    expect(behaviouralAppMul(ops, 'f', 'n', {}, mul, 10).isExact()).toBe(true);
    expect(() => behaviouralAppMul(ops, 'f', 'n', {}, () => NaN, 10)).toThrow(LowbitDataError);
    expect(() => behaviouralAppMul(ops, 'f', 'n', {}, () => NaN, 10)).toThrow(/core\(0, 0\) = NaN is not a 32-bit/);
    expect(() => behaviouralAppMul(ops, 'f', 'n', {}, () => 0.5, 10)).toThrow(LowbitDataError);
    expect(() => behaviouralAppMul(ops, 'f', 'n', {}, mul, -1)).toThrow(/coreGates = -1/);
    expect(() => behaviouralAppMul(ops, 'f', 'n', {}, 'nope' as never, 10)).toThrow(/core = "nope"/);
    expect(() => behaviouralAppMul(ops, '', 'n', {}, mul, 10)).toThrow(/family = ""/);
    expect(() => behaviouralAppMul({ ...ops, k: 1 } as never, 'f', 'n', {}, mul, 10)).toThrow(/options\.k = 1/);
    expect(() => exactReferenceGates(undefined as never, u2)).toThrow(/a = undefined/);
  });
});
