/**
 * The shape check of a `CountingMatrix` handed back to the estimates (`estimateLossChange`,
 * `layerChoices`): operand specs, the table-sized `g`, and the sparse per-sample store's offsets
 * and indices, so that a malformed or hand-edited matrix is a typed error instead of NaN or a
 * read past the table.
 */
import { LowbitConfigError, LowbitDataError, checkKnownKeys } from '@lowbit/quant-core';
import type { CountingMatrix } from './counting.js';
import { checkOperand } from './operand.js';

/** Throws unless `counting` is a counting matrix as the counting functions return it (sizes, indices, weights). */
export function checkCounting(counting: CountingMatrix): void {
  if (counting === null || typeof counting !== 'object' || Array.isArray(counting))
    throw new LowbitConfigError('counting', counting, 'expected a counting matrix { a, w, g, perSample? }');
  checkKnownKeys('counting', counting, ['a', 'w', 'g', 'perSample']);
  const a = checkOperand('counting.a', counting.a);
  const w = checkOperand('counting.w', counting.w);
  const size = 2 ** (a.bits + w.bits);
  if (!(counting.g instanceof Float64Array) || counting.g.length !== size)
    throw new LowbitDataError('counting', `g must be a Float64Array of 2^(${a.bits}+${w.bits}) = ${size} entries`);
  const ps = counting.perSample;
  if (ps === undefined) return;
  const bad = (why: string) => new LowbitDataError('counting.perSample', why);
  if (ps === null || typeof ps !== 'object') throw bad('expected { count, offsets, index, value, lossWeight, ... }');
  if (!Number.isInteger(ps.count) || ps.count < 0) throw bad(`count = ${String(ps.count)} is not an integer >= 0`);
  if (!(typeof ps.lossWeight === 'number' && Number.isFinite(ps.lossWeight) && ps.lossWeight > 0))
    throw bad(`lossWeight = ${String(ps.lossWeight)} is not a finite number > 0`);
  if (!(ps.offsets instanceof Int32Array) || ps.offsets.length !== ps.count + 1)
    throw bad(`offsets must be an Int32Array of count + 1 = ${ps.count + 1} entries`);
  if (!(ps.index instanceof Int32Array) || !(ps.value instanceof Float32Array) || ps.index.length !== ps.value.length)
    throw bad('index (Int32Array) and value (Float32Array) must have the same length');
  for (let s = 0; s < ps.count; s++)
    if (!(ps.offsets[s]! >= 0 && ps.offsets[s]! <= ps.offsets[s + 1]! && ps.offsets[s + 1]! <= ps.index.length))
      throw bad(`offsets[${s}..${s + 1}] do not delimit entries of index`);
  for (let j = 0; j < ps.index.length; j++)
    if (!(ps.index[j]! >= 0 && ps.index[j]! < size)) throw bad(`index[${j}] = ${ps.index[j]} is outside the table`);
}
