/**
 * Loading a user's multiplier from a plain LUT: `2^(b_a + b_w)` products stored as little-endian
 * integers of `elementBytes` bytes (1, 2 or 4; signed or unsigned), in one of two orders:
 * - `'a-major'` (default; EvoApproxLib / TFApprox): entry `pattern(a) * 2^b_w + pattern(w)`,
 * - `'w-major'`: entry `pattern(w) * 2^b_a + pattern(a)`,
 * where `pattern(c) = c & (2^b - 1)` is the code's bit pattern (two's complement for signed codes).
 * The energy per multiplication is the user's figure (`energySource: 'user'`).
 *
 * A plain LUT does not say how it is laid out, and several layouts have the same byte length
 * (3x4 vs 4x3 bits, a- vs w-major, 2-byte 4x4 vs 1-byte 4x5, signed vs unsigned operands). So
 * `parseLut` checks the declared layout against the table: it rejects products that do not fit
 * the widths, and (unless `checkLayout: false`) a table that another layout of the same byte
 * length reads as a much closer approximation of `a * w` (mean |error| at most a quarter of the
 * declared layout's and at least 10% of mean |a * w| smaller) — the signature of wrong widths,
 * operand order or element format. Equal widths and signedness in swapped order cannot be told
 * apart this way (the errors are the same, transposed): state `order` explicitly.
 * Every size is checked before anything is allocated; the work is linear in the table size.
 *
 * ```ts
 * const bytes = new Uint8Array(await readFile('my_mul4x4.bin'));
 * const m = parseLut(bytes, { name: 'my_mul', a: { bits: 4, signed: false }, w: { bits: 4, signed: false },
 *   elementBytes: 2, elementSigned: false, energyPj: 0.05 });
 * const same = await loadLutFile('my_mul4x4.bin', { ...options }); // Node: '@lowbit/fames-appmul/node'
 * lutByteLength(options);  // 512: the file size to expect before reading a file
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkBoolean, checkKnownKeys, checkOneOf } from '@lowbit/quant-core';
import { AppMul, type EnergySource } from './appmul.js';
import { checkOperand, codesByPattern, type OperandSpec } from './operand.js';

export interface LutOptions {
  name: string;
  a: OperandSpec;
  w: OperandSpec;
  /** Bytes per product: 1, 2 or 4. */
  elementBytes: 1 | 2 | 4;
  /** Whether products are stored as signed integers. */
  elementSigned: boolean;
  /** Entry order; default 'a-major'. */
  order?: 'a-major' | 'w-major';
  /** Energy of one multiplication in pJ. */
  energyPj: number;
  /** Default 'user'. */
  energySource?: EnergySource;
  family?: string;
  params?: Record<string, number | boolean | string>;
  /**
   * Reject a table another layout of the same byte length reads as a much closer approximation
   * of `a * w` (see the module docs); default true. Pass false for a deliberately odd table.
   */
  checkLayout?: boolean;
}

const LUT_OPTION_KEYS = [
  'name',
  'a',
  'w',
  'elementBytes',
  'elementSigned',
  'order',
  'energyPj',
  'energySource',
  'family',
  'params',
  'checkLayout',
];

/** How a LUT's bytes are laid out. */
export interface LutLayout {
  a: OperandSpec;
  w: OperandSpec;
  elementBytes: 1 | 2 | 4;
  elementSigned: boolean;
  order: 'a-major' | 'w-major';
}

/** Byte length of a LUT with these options: `2^(a.bits + w.bits) * elementBytes` (check a file's size before reading it). */
export function lutByteLength(options: Pick<LutOptions, 'a' | 'w' | 'elementBytes'>): number {
  if (options === null || typeof options !== 'object')
    throw new LowbitConfigError('options', options, 'expected LUT options { a, w, elementBytes, ... }');
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  return 2 ** (a.bits + w.bits) * checkOneOf('elementBytes', options.elementBytes, [1, 2, 4] as const);
}

/** Parses LUT bytes into an `AppMul`; `source` names the data in errors. */
export function parseLut(bytes: Uint8Array, options: LutOptions, source = `LUT ${options?.name}`): AppMul {
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new LowbitConfigError(
      'options',
      options,
      'expected LUT options { name, a, w, elementBytes, elementSigned, energyPj, ... }',
    );
  checkKnownKeys('options', options, LUT_OPTION_KEYS);
  if (typeof source !== 'string' || source.length === 0)
    throw new LowbitConfigError('source', source, 'expected a non-empty string naming the data in errors');
  if (typeof options.name !== 'string' || options.name.length === 0)
    throw new LowbitConfigError('name', options.name, 'expected a non-empty string');
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const elementBytes = checkOneOf('elementBytes', options.elementBytes, [1, 2, 4] as const);
  if (typeof options.elementSigned !== 'boolean')
    throw new LowbitConfigError('elementSigned', options.elementSigned, 'expected true or false');
  const order = checkOneOf('order', options.order ?? 'a-major', ['a-major', 'w-major'] as const);
  const checkLayout = options.checkLayout ?? true;
  if (typeof checkLayout !== 'boolean')
    throw new LowbitConfigError('checkLayout', options.checkLayout, 'expected true or false');
  const entries = 2 ** (a.bits + w.bits);
  if (bytes.length !== entries * elementBytes) {
    throw new LowbitDataError(
      source,
      `holds ${bytes.length} bytes, expected 2^(${a.bits}+${w.bits}) = ${entries} products x ${elementBytes} bytes = ${entries * elementBytes} bytes (check the bit widths and element width)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared: LutLayout = { a, w, elementBytes, elementSigned: options.elementSigned, order };
  const read = reader(view, declared);
  // A product of b_a- and b_w-bit codes needs b_a + b_w bits; allow one more for overshooting
  // approximations. Anything larger means the widths or the element format are wrong.
  const limit = 2 ** (a.bits + w.bits + 1);
  const nA = 2 ** a.bits;
  const nW = 2 ** w.bits;
  const table = new Int32Array(entries);
  for (let i = 0; i < entries; i++) {
    const v = read(i);
    if (Math.abs(v) >= limit) {
      throw new LowbitDataError(
        source,
        `product ${v} at entry ${i} does not fit a ${a.bits}x${w.bits}-bit multiplier (|product| < 2^${a.bits + w.bits + 1}); wrong bit widths or element format?`,
      );
    }
    const target = order === 'a-major' ? i : (i % nA) * nW + Math.floor(i / nA);
    table[target] = v;
  }
  if (checkLayout) {
    const own = relativeError(view, declared, Infinity);
    const better = own > 0 ? closerLayout(view, declared, own) : undefined;
    if (better) {
      throw new LowbitDataError(
        source,
        `reads as a far closer approximation of a * w with ${describeLayout(better.layout)} (mean |error| ${percent(better.error)} of mean |a * w|) ` +
          `than with the declared ${describeLayout(declared)} (${percent(own)}): wrong bit widths, operand order or element format? ` +
          'Pass checkLayout: false to load it as declared anyway',
      );
    }
  }
  return new AppMul({
    name: options.name,
    family: options.family ?? 'lut',
    a,
    w,
    table,
    energyPj: options.energyPj,
    energySource: options.energySource ?? 'user',
    params: options.params,
  });
}

function reader(view: DataView, layout: LutLayout): (i: number) => number {
  const { elementBytes, elementSigned } = layout;
  if (elementBytes === 1) return elementSigned ? (i) => view.getInt8(i) : (i) => view.getUint8(i);
  if (elementBytes === 2) return elementSigned ? (i) => view.getInt16(2 * i, true) : (i) => view.getUint16(2 * i, true);
  return elementSigned ? (i) => view.getInt32(4 * i, true) : (i) => view.getUint32(4 * i, true);
}

/**
 * Mean |M - a * w| / mean |a * w| of the table read with `layout`; Infinity when a product does
 * not fit the widths, or as soon as the error is certain to exceed `stopAbove`.
 */
function relativeError(view: DataView, layout: LutLayout, stopAbove: number): number {
  const ca = codesByPattern(layout.a);
  const cw = codesByPattern(layout.w);
  let sumA = 0;
  let sumW = 0;
  for (const c of ca) sumA += Math.abs(c);
  for (const c of cw) sumW += Math.abs(c);
  const denominator = sumA * sumW;
  const budget = stopAbove * denominator;
  const limit = 2 ** (layout.a.bits + layout.w.bits + 1);
  const read = reader(view, layout);
  const aMajor = layout.order === 'a-major';
  const wMask = cw.length - 1;
  const aMask = ca.length - 1;
  let error = 0;
  for (let i = 0; i < ca.length * cw.length; i++) {
    const v = read(i);
    if (Math.abs(v) >= limit) return Infinity;
    const exact = aMajor ? ca[i >> layout.w.bits] * cw[i & wMask] : ca[i & aMask] * cw[i >> layout.a.bits];
    error += Math.abs(v - exact);
    if (error > budget) return Infinity;
  }
  return error / denominator;
}

/** The layout of the same byte length that fits a * w far better than `declared`, if any. */
function closerLayout(
  view: DataView,
  declared: LutLayout,
  own: number,
): { layout: LutLayout; error: number } | undefined {
  // Far better: at most a quarter of the declared error and at least 0.1 (10% of mean |a * w|) lower.
  const bound = Math.min(own / 4, own - 0.1);
  if (!(bound > 0)) return undefined;
  let best: { layout: LutLayout; error: number } | undefined;
  for (const elementBytes of [1, 2, 4] as const) {
    if (view.byteLength % elementBytes !== 0) continue;
    const totalBits = Math.log2(view.byteLength / elementBytes);
    if (!Number.isInteger(totalBits)) continue;
    for (let aBits = 2; aBits <= 8; aBits++) {
      const wBits = totalBits - aBits;
      if (wBits < 2 || wBits > 8) continue;
      for (const aSigned of [false, true]) {
        for (const wSigned of [false, true]) {
          for (const elementSigned of [false, true]) {
            for (const order of ['a-major', 'w-major'] as const) {
              const layout: LutLayout = {
                a: { bits: aBits, signed: aSigned },
                w: { bits: wBits, signed: wSigned },
                elementBytes,
                elementSigned,
                order,
              };
              const error = relativeError(view, layout, best ? Math.min(best.error, bound) : bound);
              if (error <= bound && (!best || error < best.error)) best = { layout, error };
            }
          }
        }
      }
    }
  }
  return best;
}

function describeLayout(l: LutLayout): string {
  const op = (s: OperandSpec) => `${s.bits}-bit ${s.signed ? 'signed' : 'unsigned'}`;
  return `{ a: ${op(l.a)}, w: ${op(l.w)}, ${l.order}, ${l.elementBytes}-byte ${l.elementSigned ? 'signed' : 'unsigned'} elements }`;
}

function percent(x: number): string {
  return `${(100 * x).toPrecision(3)}%`;
}

/** The bytes of `m`'s table in the given format (to save a table, or to test a loader). */
export function serializeLut(
  m: AppMul,
  elementBytes: 1 | 2 | 4,
  elementSigned: boolean,
  order: 'a-major' | 'w-major' = 'a-major',
): Uint8Array {
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul');
  checkOneOf('elementBytes', elementBytes, [1, 2, 4] as const);
  checkBoolean('elementSigned', elementSigned);
  checkOneOf('order', order, ['a-major', 'w-major'] as const);
  const bytes = new Uint8Array(m.table.length * elementBytes);
  const view = new DataView(bytes.buffer);
  const nA = m.rows;
  const nW = m.cols;
  const lo = elementSigned ? -(2 ** (8 * elementBytes - 1)) : 0;
  const hi = elementSigned ? 2 ** (8 * elementBytes - 1) - 1 : 2 ** (8 * elementBytes) - 1;
  for (let i = 0; i < m.table.length; i++) {
    const v = order === 'a-major' ? m.table[i] : m.table[(i % nA) * nW + Math.floor(i / nA)];
    if (v < lo || v > hi)
      throw new LowbitConfigError(
        'elementBytes',
        elementBytes,
        `product ${v} does not fit a ${elementSigned ? 'signed' : 'unsigned'} ${elementBytes}-byte element`,
      );
    const o = i * elementBytes;
    if (elementBytes === 1) {
      if (elementSigned) view.setInt8(o, v);
      else view.setUint8(o, v);
    } else if (elementBytes === 2) {
      if (elementSigned) view.setInt16(o, v, true);
      else view.setUint16(o, v, true);
    } else if (elementSigned) view.setInt32(o, v, true);
    else view.setUint32(o, v, true);
  }
  return bytes;
}
