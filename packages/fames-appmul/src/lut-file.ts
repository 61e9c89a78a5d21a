/**
 * Loading a user's multiplier from a plain LUT: `2^(b_a + b_w)` products stored as little-endian
 * integers of `elementBytes` bytes (1, 2 or 4; signed or unsigned), in one of two orders:
 * - `'a-major'` (default; EvoApproxLib / TFApprox): entry `pattern(a) * 2^b_w + pattern(w)`,
 * - `'w-major'`: entry `pattern(w) * 2^b_a + pattern(a)`,
 * where `pattern(c) = c & (2^b - 1)` is the code's bit pattern (two's complement for signed codes).
 * The energy per multiplication is the user's figure (`energySource: 'user'`).
 *
 * ```ts
 * const bytes = new Uint8Array(await readFile('my_mul4x4.bin'));
 * const m = parseLut(bytes, { name: 'my_mul', a: { bits: 4, signed: false }, w: { bits: 4, signed: false },
 *   elementBytes: 2, elementSigned: false, energyPj: 0.05 });
 * const same = await loadLutFile('my_mul4x4.bin', { ...options }); // Node: '@lowbit/fames-appmul/node'
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkOneOf } from '@lowbit/quant-core';
import { AppMul, type EnergySource } from './appmul.js';
import { checkOperand, type OperandSpec } from './operand.js';

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
}

/** Parses LUT bytes into an `AppMul`; `source` names the data in errors. */
export function parseLut(bytes: Uint8Array, options: LutOptions, source = `LUT ${options?.name}`): AppMul {
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  const a = checkOperand('a', options?.a);
  const w = checkOperand('w', options?.w);
  const elementBytes = checkOneOf('elementBytes', options.elementBytes, [1, 2, 4] as const);
  if (typeof options.elementSigned !== 'boolean') throw new LowbitConfigError('elementSigned', options.elementSigned, 'expected true or false');
  const order = checkOneOf('order', options.order ?? 'a-major', ['a-major', 'w-major'] as const);
  const entries = 2 ** (a.bits + w.bits);
  if (bytes.length !== entries * elementBytes) {
    throw new LowbitDataError(
      source,
      `holds ${bytes.length} bytes, expected 2^(${a.bits}+${w.bits}) = ${entries} products x ${elementBytes} bytes = ${entries * elementBytes} bytes (check the bit widths and element width)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (i: number): number => {
    const o = i * elementBytes;
    if (elementBytes === 1) return options.elementSigned ? view.getInt8(o) : view.getUint8(o);
    if (elementBytes === 2) return options.elementSigned ? view.getInt16(o, true) : view.getUint16(o, true);
    return options.elementSigned ? view.getInt32(o, true) : view.getUint32(o, true);
  };
  // A product of b_a- and b_w-bit codes needs b_a + b_w bits; allow one more for overshooting
  // approximations. Anything larger means the widths or the element format are wrong.
  const limit = 2 ** (a.bits + w.bits + 1);
  const nA = 2 ** a.bits;
  const nW = 2 ** w.bits;
  const table = new Int32Array(entries);
  for (let i = 0; i < entries; i++) {
    const v = read(i);
    if (Math.abs(v) >= limit) {
      throw new LowbitDataError(source, `product ${v} at entry ${i} does not fit a ${a.bits}x${w.bits}-bit multiplier (|product| < 2^${a.bits + w.bits + 1}); wrong bit widths or element format?`);
    }
    const target = order === 'a-major' ? i : (i % nA) * nW + Math.floor(i / nA);
    table[target] = v;
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

/** The bytes of `m`'s table in the given format (to save a table, or to test a loader). */
export function serializeLut(m: AppMul, elementBytes: 1 | 2 | 4, elementSigned: boolean, order: 'a-major' | 'w-major' = 'a-major'): Uint8Array {
  checkOneOf('elementBytes', elementBytes, [1, 2, 4] as const);
  const bytes = new Uint8Array(m.table.length * elementBytes);
  const view = new DataView(bytes.buffer);
  const nA = m.rows;
  const nW = m.cols;
  const lo = elementSigned ? -(2 ** (8 * elementBytes - 1)) : 0;
  const hi = elementSigned ? 2 ** (8 * elementBytes - 1) - 1 : 2 ** (8 * elementBytes) - 1;
  for (let i = 0; i < m.table.length; i++) {
    const v = order === 'a-major' ? m.table[i] : m.table[(i % nA) * nW + Math.floor(i / nA)];
    if (v < lo || v > hi) throw new LowbitConfigError('elementBytes', elementBytes, `product ${v} does not fit a ${elementSigned ? 'signed' : 'unsigned'} ${elementBytes}-byte element`);
    const o = i * elementBytes;
    if (elementBytes === 1) elementSigned ? view.setInt8(o, v) : view.setUint8(o, v);
    else if (elementBytes === 2) elementSigned ? view.setInt16(o, v, true) : view.setUint16(o, v, true);
    else elementSigned ? view.setInt32(o, v, true) : view.setUint32(o, v, true);
  }
  return bytes;
}
