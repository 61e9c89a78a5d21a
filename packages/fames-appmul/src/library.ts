/**
 * The AppMul library: for one pair of operand widths / signedness, the exact multiplier and a
 * spread of approximate designs from every behavioural family, from nearly exact to aggressive.
 *
 * ```ts
 * const lib = appMulLibrary({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true } });
 * for (const m of lib) console.log(m.name, m.energyPj.toFixed(4), m.metrics().maePercent.toFixed(3));
 * ```
 */
import type { AppMul, OperandOptions } from './appmul.js';
import { brokenArrayMultiplier } from './families/broken-array.js';
import { drumMultiplier } from './families/drum.js';
import { exactMultiplier } from './families/exact.js';
import { mitchellMultiplier } from './families/mitchell.js';
import { operandTruncationMultiplier } from './families/operand-truncation.js';
import { truncatedMultiplier } from './families/truncated.js';
import { underdesignedMultiplier } from './families/underdesigned.js';
import { checkOperand } from './operand.js';

const cache = new Map<string, AppMul[]>();

/**
 * Exact first, then: truncation of 1 .. floor((b_a+b_w)/2) columns (plain, and compensated from
 * 2 columns), broken arrays (hbl 1, vbl up to the middle column), operand LSB dropping (1 or 2
 * bits of either or both), Mitchell (full and one-bit-shorter fractions), DRUM for every k below
 * the widest operand, and the recursive under-designed multiplier. Designs whose tables coincide
 * (at tiny widths) appear once. Cached per operand pair.
 */
export function appMulLibrary(options: OperandOptions): AppMul[] {
  const a = checkOperand('a', options?.a);
  const w = checkOperand('w', options?.w);
  const key = `${a.bits}${a.signed}${w.bits}${w.signed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ops = { a, w };
  const out: AppMul[] = [exactMultiplier(ops)];
  const total = a.bits + w.bits;
  const middle = Math.floor(total / 2);
  for (let c = 1; c <= middle; c++) {
    out.push(truncatedMultiplier({ ...ops, columns: c }));
    if (c >= 2) out.push(truncatedMultiplier({ ...ops, columns: c, compensate: true }));
  }
  for (let v = Math.max(1, middle - 2); v <= middle; v++) out.push(brokenArrayMultiplier({ ...ops, hbl: 1, vbl: v }));
  for (const [dA, dW] of [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 0],
    [0, 2],
    [2, 2],
  ]) {
    if (dA < a.bits && dW < w.bits) out.push(operandTruncationMultiplier({ ...ops, dropA: dA, dropW: dW }));
  }
  const widest = Math.max(a.bits, w.bits);
  out.push(mitchellMultiplier(ops));
  if (widest >= 3) out.push(mitchellMultiplier({ ...ops, fractionBits: widest - 2 }));
  for (let k = 2; k < widest; k++) out.push(drumMultiplier({ ...ops, k }));
  out.push(underdesignedMultiplier(ops));
  const unique: AppMul[] = [];
  for (const m of out) if (!unique.some((u) => sameTable(u.table, m.table))) unique.push(m);
  cache.set(key, unique);
  return unique;
}

function sameTable(x: Int32Array, y: Int32Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
