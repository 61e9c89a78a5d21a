/**
 * Log-domain accumulation: the running sum of a dot product kept as an exponent, so the adder
 * of a log accelerator never leaves the log domain. Two log values add as
 *
 *   log2(2^a + 2^b) ~ max(a, b) + lut(|a - b|),   lut(d) = round(2^f log2(1 + 2^(-d / 2^f))) / 2^f
 *
 * with exponents in fixed point (`f` fractional bits, units of 2^-f octave) and a table that ends
 * where its entries round to 0 (`logAddTable`). Positive and negative terms are accumulated in
 * two such registers and subtracted once at the end in the linear domain (a log-domain
 * subtraction needs a second table that diverges near d = 0; one subtraction per output is cheap).
 * The error against exact accumulation is measured by `npm run accumulation-error -w
 * packages/log-domain` (figures in the README).
 *
 * ```ts
 * const table = logAddTable(3);
 * logAdd(0, 0, table);   // 8: log2(1 + 1) = 1 octave = 8 units of 2^-3
 * const y = logDomainMatMul(xCodes, wCodes, { aKind: 'pow2', bKind: 'pow2', scale: 2 ** -8, fracBits: 3 });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkKnownKeys, checkObject, LowbitConfigError } from '@lowbit/quant-core';
import { decodeCodes } from './kernels/shift-matmul.js';
import { checkInt32, checkKind, checkScale } from './ops/shift-options.js';
import type { ShiftOperandKind } from './shift-operand.js';

/** The correction table for `fracBits` fractional exponent bits: entry d is lut(d) in units of 2^-fracBits. */
export function logAddTable(fracBits: number): Int32Array {
  checkInteger('fracBits', fracBits, 0, 8);
  const unit = 2 ** fracBits;
  const entries: number[] = [];
  for (let d = 0; ; d++) {
    const v = Math.round(unit * Math.log2(1 + 2 ** (-d / unit)));
    if (v === 0) break;
    entries.push(v);
  }
  return Int32Array.from(entries);
}

/** `max(a, b) + lut(|a - b|)` on fixed-point exponents; `-Infinity` stands for the value 0. */
export function logAdd(a: number, b: number, table: Int32Array): number {
  const exponent = (name: string, v: unknown) => {
    if (v !== -Infinity && !Number.isInteger(v)) {
      throw new LowbitConfigError(name, v, 'expected an integer fixed-point exponent or -Infinity (the value 0)');
    }
  };
  exponent('a', a);
  exponent('b', b);
  if (!(table instanceof Int32Array)) {
    throw new LowbitConfigError('table', table, 'expected an Int32Array (logAddTable)');
  }
  return logAddRaw(a, b, table);
}

/** {@link logAdd} without the argument checks, for the accumulation loop. */
function logAddRaw(a: number, b: number, table: Int32Array): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const d = Math.abs(a - b);
  return Math.max(a, b) + (d < table.length ? table[d] : 0);
}

export interface LogDomainMatMulOptions {
  aKind: ShiftOperandKind;
  bKind: ShiftOperandKind;
  /** Real value of one output unit, one entry or one per output column. */
  scale?: number | readonly number[];
  /** Fractional bits of the accumulator's exponent (table resolution), 0..8; >= 1 when an operand is base sqrt 2. */
  fracBits: number;
}

/**
 * `a x b` for code matrices like `shiftMatMul`, but every output accumulated in the log domain
 * (terms added in order k = 0, 1, ...). Runs as a JS loop on the codes' data on any backend.
 */
export function logDomainMatMul(a: tf.Tensor, b: tf.Tensor, options: LogDomainMatMulOptions): tf.Tensor2D {
  checkInt32('a', a, 2);
  checkInt32('b', b, 2);
  checkKnownKeys('options', checkObject('options', options, '{ aKind, bKind, scale?, fracBits }'), [
    'aKind',
    'bKind',
    'scale',
    'fracBits',
  ]);
  const aKind = checkKind('aKind', options.aKind);
  const bKind = checkKind('bKind', options.bKind);
  const fracBits = checkInteger('fracBits', options.fracBits, 0, 8);
  if ((aKind === 'pow2-sqrt2' || bKind === 'pow2-sqrt2') && fracBits === 0) {
    throw new LowbitConfigError(
      'fracBits',
      fracBits,
      'expected >= 1 when an operand is base sqrt 2 (half-octave exponents)',
    );
  }
  if (aKind === 'int' || bKind === 'int') {
    throw new LowbitConfigError(
      aKind === 'int' ? 'aKind' : 'bKind',
      'int',
      'log-domain accumulation needs both operands log-coded ("pow2" or "pow2-sqrt2")',
    );
  }
  const [m, k] = a.shape as number[];
  const [k2, n] = b.shape as number[];
  if (k !== k2)
    throw new LowbitConfigError('b', b, `expected ${k} rows to match the columns of a (shape [${a.shape}])`);
  const scale = checkScale(options.scale, n).map((s) => Math.fround(s));
  const av = a.dataSync();
  const bv = b.dataSync();
  const aMul = new Float64Array(av.length);
  const aHalf = new Int32Array(av.length);
  const bMul = new Float64Array(bv.length);
  const bHalf = new Int32Array(bv.length);
  decodeCodes(av, aKind, aMul, aHalf);
  decodeCodes(bv, bKind, bMul, bHalf);
  const table = logAddTable(fracBits);
  // half-octave offsets to fixed-point exponents (units of 2^-fracBits octave)
  const perHalf = 2 ** fracBits / 2;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let pos = -Infinity;
      let neg = -Infinity;
      for (let p = 0; p < k; p++) {
        const sign = aMul[i * k + p] * bMul[p * n + j];
        if (sign === 0) continue;
        const e = (aHalf[i * k + p] + bHalf[p * n + j]) * perHalf;
        if (sign > 0) pos = logAddRaw(pos, e, table);
        else neg = logAddRaw(neg, e, table);
      }
      const value = 2 ** (pos / 2 ** fracBits) - 2 ** (neg / 2 ** fracBits);
      out[i * n + j] = value * scale[scale.length > 1 ? j : 0];
    }
  }
  return tf.tensor2d(out, [m, n]);
}
