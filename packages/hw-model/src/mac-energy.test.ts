import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LowbitConfigError, type OperandPrecision } from '@lowbit/quant-core';
import { accumulatorFor, linearBits, macEnergy, multiplyEnergy } from './mac-energy.js';
import { energyTable, extendEnergyTable } from './energy-table.js';

const int = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: true });
const uint = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: false });
const f32: OperandPrecision = { kind: 'float', bits: 32, signed: true };
const f16: OperandPrecision = { kind: 'float', bits: 16, signed: true };
const pow2 = (bits: number): OperandPrecision => ({ kind: 'pow2', bits, signed: true });
const bin: OperandPrecision = { kind: 'binary', bits: 1, signed: true };
const zo: OperandPrecision = { kind: 'zero-one', bits: 1, signed: false };
const ter: OperandPrecision = { kind: 'ternary', bits: 2, signed: true };

describe('macEnergy', () => {
  it('golden: int8 x int8 with a 32-bit accumulator is 0.2 + 0.1 = 0.3 pJ', () => {
    const m = macEnergy(int(8), int(8), { fanIn: 784, accumulatorBits: 32 });
    expect(m.multiplier).toBe('int-multiplier');
    expect(m.multiplyPj).toBe(0.2);
    expect(m.accumulator).toEqual({ kind: 'int', bits: 32 });
    expect(m.accumulatePj).toBe(0.1);
    expect(m.totalPj).toBeCloseTo(0.3, 12);
  });

  it('fp32 MAC is 3.7 + 0.9 pJ', () => {
    const m = macEnergy(f32, f32, { fanIn: 10 });
    expect(m).toMatchObject({
      multiplier: 'fp-multiplier',
      multiplyPj: 3.7,
      accumulator: { kind: 'float', bits: 32 },
      accumulatePj: 0.9,
    });
    expect(m.totalPj).toBeCloseTo(4.6, 12);
  });

  it('derives the accumulator width as b_w + b_a + ceil(log2 fanIn) unless fixed', () => {
    expect(accumulatorFor(int(8), int(8), 784)).toEqual({ kind: 'int', bits: 8 + 8 + 10 });
    expect(accumulatorFor(int(4), uint(4), 1)).toEqual({ kind: 'int', bits: 8 });
    expect(accumulatorFor(int(4), uint(4), 1024)).toEqual({ kind: 'int', bits: 18 });
    expect(accumulatorFor(int(4), uint(4), 1025)).toEqual({ kind: 'int', bits: 19 });
    expect(accumulatorFor(bin, bin, 64)).toEqual({ kind: 'int', bits: 8 });
    expect(accumulatorFor(int(4), int(4), 1000, 24)).toEqual({ kind: 'int', bits: 24 });
    expect(accumulatorFor(f16, int(8), 9)).toEqual({ kind: 'float', bits: 16 });
    // a 4-bit pow2 code: sign + 3-bit exponent, shifts up to 2^3 = 8 places -> 9 linear bits
    expect(linearBits(pow2(4))).toBe(9);
    expect(accumulatorFor(pow2(4), int(8), 16)).toEqual({ kind: 'int', bits: 9 + 8 + 4 });
    const derived = macEnergy(int(8), int(8), { fanIn: 784 });
    expect(derived.accumulatePj).toBeCloseTo(0.003125 * 26, 12);
  });

  it('the derived accumulator never overflows on the worst-case sum (property)', () => {
    // Largest |value| of an operand, as an exact integer code magnitude.
    const maxMagnitude = (p: OperandPrecision): bigint => {
      if (p.kind === 'pow2') return 1n << BigInt(2 ** (p.bits - 1) - 1); // sign + (bits-1)-bit exponent
      if (p.kind === 'binary' || p.kind === 'zero-one' || p.kind === 'ternary') return 1n;
      return p.signed ? 1n << BigInt(p.bits - 1) : (1n << BigInt(p.bits)) - 1n;
    };
    const operand = fc.oneof(
      fc.record({ kind: fc.constant('int' as const), bits: fc.integer({ min: 1, max: 16 }), signed: fc.boolean() }),
      fc.record({
        kind: fc.constant('pow2' as const),
        bits: fc.integer({ min: 2, max: 5 }),
        signed: fc.constant(true),
      }),
      fc.constant(bin),
      fc.constant(zo),
      fc.constant(ter),
    );
    fc.assert(
      fc.property(operand, operand, fc.integer({ min: 1, max: 1 << 20 }), (w, a, fanIn) => {
        const acc = accumulatorFor(w, a, fanIn);
        const worst = maxMagnitude(w) * maxMagnitude(a) * BigInt(fanIn);
        // Signed accumulator when a product can be negative, unsigned otherwise.
        const signed = w.signed || a.signed;
        return worst < 1n << BigInt(signed ? acc.bits - 1 : acc.bits);
      }),
    );
  });

  it.each([
    ['int x int', int(4), uint(4), 'int-multiplier', 0.0029948 * 16 + 0.0010417 * 4],
    ['pow2 x int', pow2(4), uint(8), 'barrel-shifter', 0.003125 * 8],
    ['int x pow2 (order does not matter)', uint(8), pow2(4), 'barrel-shifter', 0.003125 * 8],
    ['pow2 x pow2', pow2(5), pow2(4), 'exponent-adder', 0.003125 * 4 + 0.003125],
    ['binary x binary', bin, bin, 'xor', 0.003125],
    ['binary x int8', bin, int(8), 'mux', 0.003125 * 8],
    ['zero-one x int4', uint(4), zo, 'and', 0.003125 * 4],
    ['zero-one x binary', zo, bin, 'and', 0.003125],
    ['ternary x int4', ter, uint(4), 'mux-negate', 0.003125 * 8],
    ['float x float16', f16, f16, 'fp-multiplier', 1.1],
    ['float x int', f32, int(4), 'fp-multiplier', 3.7],
    ['float x pow2 (8-bit exponent add: table point)', pow2(4), f32, 'fp-exponent-adder', 0.03],
    ['float x binary', bin, f32, 'xor', 0.003125],
    ['float x zero-one', f32, zo, 'and', 0.1],
    ['float x ternary', ter, f32, 'mux-negate', 0.1 + 0.003125],
  ] as const)('%s', (_label, w, a, kind, pj) => {
    const m = multiplyEnergy(w, a);
    expect(m.multiplier).toBe(kind);
    expect(m.energyPj).toBeCloseTo(pj, 12);
  });

  it('the cheap circuits are cheaper than the int multiplier of the same width', () => {
    const full = multiplyEnergy(int(8), int(8)).energyPj;
    for (const w of [pow2(4), bin, zo, ter]) expect(multiplyEnergy(w, int(8)).energyPj).toBeLessThan(full);
  });

  it('an approximate multiplier is energyRatio x the exact multiplier of its widths in the given table', () => {
    const arithmetic = { multiply: 'approximate', name: 'trunc4', energyRatio: 0.6 } as const;
    const m = macEnergy(int(8), int(8), { fanIn: 9, accumulatorBits: 32, arithmetic });
    expect(m.multiplier).toBe('approximate');
    expect(m.multiplyPj).toBeCloseTo(0.12, 12);
    expect(m.totalPj).toBeCloseTo(0.22, 12);
    const t = extendEnergyTable(energyTable, { name: 't', intMultiplyPj: { 8: 0.5 } });
    expect(multiplyEnergy(int(8), int(8), t, arithmetic).energyPj).toBeCloseTo(0.3, 12);
    expect(multiplyEnergy(int(4), uint(4), energyTable, arithmetic).energyPj).toBeCloseTo(
      0.6 * (0.0029948 * 16 + 0.0010417 * 4),
      12,
    );
  });

  it.each([
    ['pow2 x int', pow2(4), uint(8), 'barrel-shifter', 0.003125 * 8],
    ['int x pow2', uint(6), pow2(4), 'barrel-shifter', 0.003125 * 6],
    ['pow2 x pow2', pow2(5), pow2(4), 'exponent-adder', 0.003125 * 4 + 0.003125],
    ['pow2 x binary (not a mux)', pow2(4), bin, 'barrel-shifter', 0.003125],
    ['pow2 x ternary (not a mux-negate)', pow2(4), ter, 'barrel-shifter', 0.003125 * 2],
    ['int x int: the input is shifted', int(4), uint(6), 'barrel-shifter', 0.003125 * 6],
    ['pow2 x float', pow2(4), f32, 'fp-exponent-adder', 0.03],
  ] as const)('shift arithmetic, %s', (_label, w, a, kind, pj) => {
    const m = multiplyEnergy(w, a, energyTable, { multiply: 'shift', name: 'shift' });
    expect(m.multiplier).toBe(kind);
    expect(m.energyPj).toBeCloseTo(pj, 12);
  });

  it('exact arithmetic is the operand rule', () => {
    expect(multiplyEnergy(pow2(4), bin, energyTable, { multiply: 'exact', name: 'exact' })).toEqual(
      multiplyEnergy(pow2(4), bin),
    );
  });

  it('log accumulation: a log register for the derived linear width; a subtract, a table read, an add', () => {
    const m = macEnergy(pow2(4), pow2(4), {
      fanIn: 784,
      arithmetic: { multiply: 'shift', name: 'log', accumulate: 'log' },
    });
    expect(m.accumulator).toEqual({ kind: 'log', bits: 9, linearBits: 28 });
    expect(m.accumulatePj).toBeCloseTo(2 * 9 * 0.003125 + 35 * 4 * 0.003125, 12);
    expect(accumulatorFor(int(8), int(8), 16, 12, 'log')).toEqual({ kind: 'log', bits: 12, linearBits: 20 });
    expect(() => accumulatorFor(f32, int(8), 16, undefined, 'log')).toThrow(/arithmetic\.accumulate = "log"/);
  });

  it('uses the given table', () => {
    const t = extendEnergyTable(energyTable, { name: 't', intMultiplyPj: { 8: 0.5 } });
    expect(macEnergy(int(8), int(8), { fanIn: 1, accumulatorBits: 32, table: t }).totalPj).toBeCloseTo(0.6, 12);
  });

  it.each([
    [
      'unknown kind',
      () => multiplyEnergy({ kind: 'posit', bits: 8, signed: true } as never, int(8)),
      /weight\.kind = "posit"/,
    ],
    ['zero bits', () => multiplyEnergy(int(8), int(0)), /input\.bits = 0/],
    ['2-bit binary', () => multiplyEnergy({ kind: 'binary', bits: 2, signed: true }, int(8)), /weight\.bits = 2/],
    ['missing operand', () => multiplyEnergy(undefined as never, int(8)), /weight = undefined/],
    ['fp8 not in table', () => multiplyEnergy({ kind: 'float', bits: 8, signed: true }, int(8)), /bits = 8.*16, 32/],
    [
      'negative energy ratio',
      () => multiplyEnergy(int(8), int(8), energyTable, { multiply: 'approximate', name: 'x', energyRatio: -1 }),
      /arithmetic\.energyRatio = -1/,
    ],
    [
      'no energy ratio',
      () => multiplyEnergy(int(8), int(8), energyTable, { multiply: 'approximate', name: 'x' }),
      /arithmetic\.energyRatio = undefined/,
    ],
    [
      'approximate on floats',
      () => multiplyEnergy(f32, int(8), energyTable, { multiply: 'approximate', name: 'x', energyRatio: 1 }),
      /arithmetic = "x".*integer operands/,
    ],
    [
      'unknown multiply',
      () => multiplyEnergy(int(8), int(8), energyTable, { multiply: 'magic', name: 'x' } as never),
      /arithmetic\.multiply = "magic"/,
    ],
    [
      'arithmetic not an object',
      () => multiplyEnergy(int(8), int(8), energyTable, 'shift' as never),
      /arithmetic = "shift"/,
    ],
    ['fanIn 0', () => macEnergy(int(8), int(8), { fanIn: 0 }), /fanIn = 0/],
    ['accumulatorBits 0', () => macEnergy(int(8), int(8), { fanIn: 3, accumulatorBits: 0 }), /accumulatorBits = 0/],
    ['no options', () => macEnergy(int(8), int(8), undefined as never), /options = undefined/],
  ])('%s throws a typed error', (_label, call, message) => {
    expect(call).toThrow(LowbitConfigError);
    expect(call).toThrow(message);
  });
});
