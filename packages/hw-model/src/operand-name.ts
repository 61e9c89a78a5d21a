/**
 * Short printable names of operand precisions, used in tables and as keys of
 * `totals.macsByPrecision`.
 *
 * ```ts
 * formatOperand({ kind: 'int', bits: 4, signed: false }); // 'uint4'
 * ```
 */
import type { OperandPrecision } from '@lowbit/quant-core';
import { checkOperand } from './mac-energy.js';

/** `int4`, `uint8`, `fp32`, `pow2-4`, `+-1`, `{0,1}`, `ternary`; `-` when absent. */
export function formatOperand(p: OperandPrecision | undefined): string {
  if (p === undefined || p === null) return '-';
  checkOperand('p', p);
  switch (p.kind) {
    case 'float':
      return `fp${p.bits}`;
    case 'int':
      return `${p.signed ? 'int' : 'uint'}${p.bits}`;
    case 'pow2':
      return `pow2-${p.bits}`;
    case 'binary':
      return '+-1';
    case 'zero-one':
      return '{0,1}';
    case 'ternary':
      return 'ternary';
  }
}
