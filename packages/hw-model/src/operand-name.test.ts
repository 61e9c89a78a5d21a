import { describe, expect, it } from 'vitest';
import type { OperandPrecision } from '@lowbit/quant-core';
import { formatOperand } from './operand-name.js';

describe('formatOperand', () => {
  it('names every operand kind', () => {
    const kinds: OperandPrecision[] = [
      { kind: 'int', bits: 4, signed: true },
      { kind: 'int', bits: 8, signed: false },
      { kind: 'pow2', bits: 5, signed: true },
      { kind: 'binary', bits: 1, signed: true },
      { kind: 'zero-one', bits: 1, signed: false },
      { kind: 'ternary', bits: 2, signed: true },
      { kind: 'float', bits: 16, signed: true },
    ];
    expect(kinds.map(formatOperand)).toEqual(['int4', 'uint8', 'pow2-5', '+-1', '{0,1}', 'ternary', 'fp16']);
    expect(formatOperand(undefined)).toBe('-');
  });
});
