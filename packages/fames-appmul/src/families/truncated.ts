/**
 * Partial-product truncation (fixed-width style): every partial-product bit of weight below
 * `2^columns` is not built. With `compensate`, the expected value of the dropped bits (each is 1
 * with probability 1/4 for uniform operands) is added back as a constant, rounded, when both
 * magnitudes are non-zero.
 *
 * ```ts
 * const m = truncatedMultiplier({ a: { bits: 2, signed: false }, w: { bits: 2, signed: false }, columns: 1 });
 * m.product(3, 3); // 8: the a_0 w_0 bit (weight 1) is gone
 * ```
 */
import { checkBoolean, checkInteger, checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { partialProductArrayGates } from '../gate-count.js';
import { checkOperand } from '../operand.js';
import { maskOf, partialProductCore } from './partial-products.js';

export interface TruncatedOptions extends OperandOptions {
  /** Columns (least significant product bits) whose partial products are dropped: 1 .. b_a + b_w - 1. */
  columns: number;
  /** Add the expected value of the dropped bits back as a constant. Default false. */
  compensate?: boolean;
}

export function truncatedMultiplier(options: TruncatedOptions): AppMul {
  checkObject('options', options, '{ a, w, columns, compensate }');
  checkKnownKeys('options', options, ['a', 'w', 'columns', 'compensate']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const columns = checkInteger('columns', options.columns, 1, a.bits + w.bits - 1);
  const compensate = checkBoolean('compensate', options.compensate ?? false);
  const mask = maskOf(a.bits, w.bits, (i, j) => i + j >= columns);
  let expectedDropped = 0;
  for (let i = 0; i < a.bits; i++)
    for (let j = 0; j < w.bits; j++) if (i + j < columns) expectedDropped += 2 ** (i + j) / 4;
  const correction = compensate ? Math.round(expectedDropped) : 0;
  const kept = partialProductCore(mask);
  const core = (x: number, y: number) => (x === 0 || y === 0 ? 0 : kept(x, y) + correction);
  // The constant costs a few OR gates at most (it is wired into the adder tree): not counted.
  return behaviouralAppMul(
    { a, w },
    'truncated',
    `trunc${columns}${compensate ? 'c' : ''}`,
    { columns, compensate },
    core,
    partialProductArrayGates(mask),
  );
}
