import { LowbitConfigError, QuantizedTensor } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { decodeShiftCode, shiftKindOf } from './shift-operand.js';

describe('decodeShiftCode', () => {
  it('splits codes into multiplier and half-octave offset per kind', () => {
    expect(decodeShiftCode(-5, 'int')).toEqual({ multiplier: -5, halfSteps: 0 });
    expect(decodeShiftCode(0, 'pow2')).toEqual({ multiplier: 0, halfSteps: 0 });
    expect(decodeShiftCode(3, 'pow2')).toEqual({ multiplier: 1, halfSteps: 4 }); // 2^2 units
    expect(decodeShiftCode(-4, 'pow2-sqrt2')).toEqual({ multiplier: -1, halfSteps: 3 }); // -2^1.5 units
  });

  it('agrees with QuantizedTensor.dequantize for pow2 codes', () => {
    for (const steps of [1, 2]) {
      const codes = Int32Array.from([-7, -3, -1, 0, 1, 2, 7]);
      const q = new QuantizedTensor({
        codes,
        shape: [7],
        bits: 4,
        signed: true,
        scale: [2 ** -3],
        encoding: 'pow2',
        stepsPerOctave: steps,
      });
      const kind = shiftKindOf(q);
      expect(kind).toBe(steps === 1 ? 'pow2' : 'pow2-sqrt2');
      const values = Array.from(codes, (c) => {
        const d = decodeShiftCode(c, kind);
        return Math.fround(d.multiplier * 2 ** (d.halfSteps / 2) * 2 ** -3);
      });
      expect(values).toEqual(Array.from(q.dequantize()));
    }
  });
});

describe('shiftKindOf', () => {
  it('maps linear codes with zero point 0 to int and rejects other zero points', () => {
    const q = new QuantizedTensor({ codes: Int32Array.of(1, -2), shape: [2], bits: 4, signed: true, scale: [0.5] });
    expect(shiftKindOf(q)).toBe('int');
    const asym = new QuantizedTensor({
      codes: Int32Array.of(1, 2),
      shape: [2],
      bits: 4,
      signed: false,
      scale: [0.5],
      zeroPoint: [3],
    });
    expect(() => shiftKindOf(asym)).toThrow(LowbitConfigError);
    expect(() => shiftKindOf(asym)).toThrow(/zeroPoint/);
  });
});
