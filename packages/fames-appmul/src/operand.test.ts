import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { checkOperand, codeRange, codeToPattern, codesByPattern, patternToCode } from './operand.js';

const s4 = { bits: 4, signed: true };

describe('operand specs and code patterns', () => {
  it('maps codes to bit patterns and back', () => {
    expect(codeRange(s4)).toEqual([-8, 7]);
    expect(codeRange({ bits: 16, signed: false })).toEqual([0, 65535]); // any width, not only AppMul operands
    expect(codeToPattern(-1, 4)).toBe(15);
    expect(patternToCode(15, s4)).toBe(-1);
    expect(Array.from(codesByPattern({ bits: 2, signed: true }))).toEqual([0, 1, -2, -1]);
  });

  it('rejects bad specs, codes and patterns with LowbitConfigError naming the argument', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => checkOperand(undefined as never, s4), /argument = undefined/],
      [() => checkOperand('a', { bits: 4, signed: true, scale: 1 }), /a\.scale = 1/],
      [() => checkOperand('a', [4, true]), /a = \[4, true\]/],
      [() => codeRange(undefined as never), /spec = undefined/],
      [() => codeRange({ bits: 4, signed: 'yes' } as never), /spec\.signed = "yes"/],
      [() => codeToPattern(2.5, 4), /code = 2\.5/],
      [() => codeToPattern(1, 40), /bits = 40/],
      [() => codeToPattern(16, 4), /code = 16/],
      [() => patternToCode(16, s4), /pattern = 16/],
      [() => patternToCode(1, { bits: 1e9, signed: false }), /spec\.bits = 1000000000/],
      [() => codesByPattern({ bits: 1e9, signed: false }), /spec\.bits = 1000000000/], // checked before allocating
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(LowbitConfigError);
      expect(call).toThrow(message);
    }
  });
});
