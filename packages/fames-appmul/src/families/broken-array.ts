/**
 * Broken-array multiplier (BAM, Mahdiani et al. 2010): the carry-save cells of an array
 * multiplier are omitted below a vertical break level (`vbl`: partial-product columns of weight
 * below 2^vbl) and above a horizontal break level (`hbl`: the rows of the `hbl` least significant
 * weight bits). `hbl = 0` is plain partial-product truncation.
 *
 * ```ts
 * const m = brokenArrayMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false }, hbl: 1, vbl: 6 });
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys, checkObject } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { partialProductArrayGates } from '../gate-count.js';
import { checkOperand } from '../operand.js';
import { maskOf, partialProductCore } from './partial-products.js';

export interface BrokenArrayOptions extends OperandOptions {
  /** Horizontal break level: weight bits `w_0 .. w_(hbl-1)` get no row. 0 .. b_w - 1. */
  hbl: number;
  /** Vertical break level: partial products of weight below 2^vbl are dropped. 0 .. b_a + b_w - 1. */
  vbl: number;
}

export function brokenArrayMultiplier(options: BrokenArrayOptions): AppMul {
  checkObject('options', options, '{ a, w, hbl, vbl }');
  checkKnownKeys('options', options, ['a', 'w', 'hbl', 'vbl']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const hbl = checkInteger('hbl', options.hbl, 0, w.bits - 1);
  const vbl = checkInteger('vbl', options.vbl, 0, a.bits + w.bits - 1);
  if (hbl === 0 && vbl === 0)
    throw new LowbitConfigError(
      'hbl, vbl',
      [hbl, vbl],
      'at least one break level must be > 0 (0, 0 is the exact multiplier)',
    );
  const mask = maskOf(a.bits, w.bits, (i, j) => j >= hbl && i + j >= vbl);
  return behaviouralAppMul(
    { a, w },
    'broken-array',
    `bam_h${hbl}v${vbl}`,
    { hbl, vbl },
    partialProductCore(mask),
    partialProductArrayGates(mask),
  );
}
