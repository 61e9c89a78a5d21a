/**
 * Fuzz test of the AppMul LUT loader `parseLut`: random bytes with random (valid and invalid)
 * options, and tables of every library family serialized in a random element format and order,
 * then bit-flipped, truncated, extended or declared with other widths, signedness, order or
 * element width of the same byte length. Property: a typed lowbit error, or a multiplier with the
 * declared operands whose 2^(b_a + b_w) products fit the widths and are exactly the declared
 * reading of the bytes; a correctly declared table always loads unchanged; a wrongly declared
 * table of a reasonable design (mean |error| under 10% of mean |a * w|) never loads as a different
 * multiplier; never another exception, never a hang (the work is bounded by the table size).
 *
 * Runs LOWBIT_FUZZ_RUNS cases per property (default 1000); `npm run fuzz` runs 100,000.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { appMulLibrary } from './library.js';
import { parseLut, serializeLut, type LutOptions } from './lut-file.js';
import { codesByPattern, type OperandSpec } from './operand.js';

const RUNS = (() => {
  const n = Number(process.env.LOWBIT_FUZZ_RUNS ?? 1000);
  return Number.isInteger(n) && n > 0 ? n : 1000;
})();
const MAX_MS_PER_CASE = 2000;

const stats = {
  file: fileURLToPath(import.meta.url),
  decoder: 'parseLut (AppMul LUT files)',
  cases: 0,
  decoded: 0,
  rejected: 0,
};
afterAll(() => {
  if (process.env.LOWBIT_FUZZ_REPORT) appendFileSync(process.env.LOWBIT_FUZZ_REPORT, `${JSON.stringify(stats)}\n`);
});

/** The declared reading of entry i (what the loaded table must hold). */
function declaredValue(bytes: Uint8Array, o: LutOptions, i: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = i * o.elementBytes;
  if (o.elementBytes === 1) return o.elementSigned ? view.getInt8(at) : view.getUint8(at);
  if (o.elementBytes === 2) return o.elementSigned ? view.getInt16(at, true) : view.getUint16(at, true);
  return o.elementSigned ? view.getInt32(at, true) : view.getUint32(at, true);
}

/** The property: a typed error, or exactly the declared reading. Returns the multiplier, if any. */
function check(bytes: Uint8Array, options: LutOptions): AppMul | undefined {
  stats.cases++;
  const t0 = performance.now();
  let m: AppMul | undefined;
  try {
    m = parseLut(bytes, options);
  } catch (e) {
    if (!(e instanceof LowbitDataError || e instanceof LowbitConfigError)) throw e;
    stats.rejected++;
  }
  if (m) {
    stats.decoded++;
    expect(m.a).toEqual({ bits: options.a.bits, signed: options.a.signed });
    expect(m.w).toEqual({ bits: options.w.bits, signed: options.w.signed });
    const nA = 2 ** m.a.bits;
    const nW = 2 ** m.w.bits;
    expect(m.table.length).toBe(nA * nW);
    expect(bytes.length).toBe(nA * nW * options.elementBytes);
    const limit = 2 ** (m.a.bits + m.w.bits + 1);
    const aMajor = (options.order ?? 'a-major') === 'a-major';
    for (let i = 0; i < m.table.length; i++) {
      const v = declaredValue(bytes, options, i);
      if (!(Math.abs(v) < limit)) throw new Error(`entry ${i} = ${v} does not fit the widths`);
      const target = aMajor ? i : (i % nA) * nW + Math.floor(i / nA);
      if (m.table[target] !== v) throw new Error(`entry ${i} read as ${m.table[target]}, the bytes hold ${v}`);
    }
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS_PER_CASE);
  return m;
}

const specArb = (max: number) => fc.record({ bits: fc.integer({ min: 2, max }), signed: fc.boolean() });
/** Mostly up to 6 bits (tables of at most 4,096 entries), sometimes 7 or 8. */
const anySpecArb = fc.oneof({ weight: 9, arbitrary: specArb(6) }, { weight: 1, arbitrary: specArb(8) });
const ebArb = fc.constantFrom(1 as const, 2 as const, 4 as const);
const orderArb = fc.constantFrom('a-major' as const, 'w-major' as const);

/** Options, mostly valid; sometimes a field is replaced by garbage. */
const optionsArb: fc.Arbitrary<LutOptions> = fc
  .record({
    a: anySpecArb,
    w: anySpecArb,
    elementBytes: ebArb,
    elementSigned: fc.boolean(),
    order: orderArb,
    checkLayout: fc.constantFrom(true, true, true, false),
    bad: fc.option(
      fc.record({
        key: fc.constantFrom('a', 'w', 'elementBytes', 'elementSigned', 'order', 'energyPj', 'name', 'checkLayout'),
        value: fc.constantFrom<unknown>(
          null,
          undefined,
          0,
          9,
          3,
          -1,
          NaN,
          'x',
          {},
          { bits: 9, signed: true },
          { bits: 4 },
          2.5,
        ),
      }),
      { freq: 5, nil: undefined },
    ),
  })
  .map(({ bad, ...o }) => {
    const options: Record<string, unknown> = { name: 'fuzz', energyPj: 0.01, ...o };
    if (bad) options[bad.key] = bad.value;
    return options as unknown as LutOptions;
  });

function nmae(m: AppMul): number {
  const ca = codesByPattern(m.a);
  const cw = codesByPattern(m.w);
  let e = 0;
  let d = 0;
  for (let i = 0; i < ca.length; i++) {
    for (let j = 0; j < cw.length; j++) {
      e += Math.abs(m.table[i * cw.length + j]! - ca[i]! * cw[j]!);
      d += Math.abs(ca[i]! * cw[j]!);
    }
  }
  return e / d;
}

/** Library designs for operand widths up to 6 bits (the library is cached per operand pair). */
const designArb = fc.record({ a: specArb(6), w: specArb(6), pick: fc.nat() }).map(({ a, w, pick }) => {
  const lib = appMulLibrary({ a, w });
  return lib[pick % lib.length]!;
});

type Redeclare = 'none' | 'swap-widths' | 'order' | 'a-sign' | 'w-sign' | 'narrower-element' | 'wider-element';
function redeclare(o: LutOptions, how: Redeclare): LutOptions | undefined {
  const flip = (s: OperandSpec) => ({ ...s, signed: !s.signed });
  const grow = (s: OperandSpec, d: number) => ({ ...s, bits: s.bits + d });
  switch (how) {
    case 'none':
      return o;
    case 'swap-widths':
      return { ...o, a: o.w, w: o.a };
    case 'order':
      return { ...o, order: o.order === 'w-major' ? 'a-major' : 'w-major' };
    case 'a-sign':
      return { ...o, a: flip(o.a) };
    case 'w-sign':
      return { ...o, w: flip(o.w) };
    case 'narrower-element':
      // Half the element width, one more operand bit: the same byte length.
      return o.elementBytes === 1
        ? undefined
        : {
            ...o,
            elementBytes: (o.elementBytes / 2) as 1 | 2,
            ...(o.a.bits < 8 ? { a: grow(o.a, 1) } : { w: grow(o.w, 1) }),
          };
    case 'wider-element':
      return o.elementBytes === 4
        ? undefined
        : {
            ...o,
            elementBytes: (o.elementBytes * 2) as 2 | 4,
            ...(o.a.bits > 2 ? { a: grow(o.a, -1) } : { w: grow(o.w, -1) }),
          };
  }
}

describe('parseLut fuzz', () => {
  it(`random bytes with random options (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(optionsArb, fc.nat(), fc.integer({ min: -3, max: 3 }), (options, seed, delta) => {
        // Usually the declared length (so the content checks run), sometimes a little off.
        const a = options.a as Partial<OperandSpec> | undefined;
        const w = options.w as Partial<OperandSpec> | undefined;
        const bits = Math.min(
          16,
          (typeof a?.bits === 'number' ? a.bits : 4) + (typeof w?.bits === 'number' ? w.bits : 4),
        );
        const eb = typeof options.elementBytes === 'number' ? Math.min(4, Math.max(1, options.elementBytes | 0)) : 1;
        const n = Math.max(0, 2 ** Math.max(0, bits) * eb + (seed % 4 === 0 ? delta : 0));
        let s = seed | 1;
        // Small values mostly (products that fit), sometimes anything.
        const big = seed % 3 === 0;
        const bytes = Uint8Array.from(
          { length: n },
          (_, i) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), big || i % eb === 0 ? s >>> 24 : 0),
        );
        check(bytes, options);
      }),
      { numRuns: RUNS },
    );
  });

  it(`library tables, mutated and/or re-declared with the same byte length (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        designArb,
        ebArb,
        orderArb,
        fc.constantFrom<Redeclare>(
          'none',
          'none',
          'swap-widths',
          'order',
          'a-sign',
          'w-sign',
          'narrower-element',
          'wider-element',
        ),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
            fc.record({ kind: fc.constant('cut' as const), at: fc.integer({ min: -5, max: 5 }) }),
          ),
          { maxLength: 2 },
        ),
        (m, elementBytes, order, requested, mutations) => {
          let how = requested;
          const elementSigned = m.table.some((v) => v < 0);
          if (!m.table.every((v) => Math.abs(v) < 2 ** (8 * elementBytes - 1))) elementBytes = 4;
          let bytes = serializeLut(m, elementBytes, elementSigned, order);
          for (const mu of mutations) {
            if (mu.kind === 'flip' && bytes.length > 0) bytes[mu.at % bytes.length] ^= 1 << mu.bit;
            if (mu.kind === 'cut')
              bytes =
                mu.at < 0
                  ? bytes.slice(0, Math.max(0, bytes.length + mu.at))
                  : Uint8Array.from([...bytes, ...new Array(mu.at).fill(0)]);
          }
          const right: LutOptions = { name: m.name, a: m.a, w: m.w, elementBytes, elementSigned, order, energyPj: 0 };
          let options = redeclare(right, how);
          if (!options || options.a.bits > 8 || options.w.bits > 8 || options.a.bits < 2 || options.w.bits < 2) {
            options = right;
            how = 'none';
          }
          const loaded = check(bytes, options);
          const intact = mutations.length === 0;
          if (intact && how === 'none') {
            // Declared right: always loads, unchanged.
            expect(loaded?.table).toEqual(m.table);
          } else if (intact && loaded && nmae(m) < 0.1) {
            // Declared wrong: a reasonable design never loads as a different multiplier, unless it
            // loads as the same one with the operands' roles swapped (a transposed reading has
            // exactly the same errors, so no check on the table can tell).
            const specs = (x: OperandSpec, y: OperandSpec) => x.bits === y.bits && x.signed === y.signed;
            const same = specs(loaded.a, m.a) && specs(loaded.w, m.w) && loaded.table.every((v, i) => v === m.table[i]);
            const transposed =
              specs(loaded.a, m.w) &&
              specs(loaded.w, m.a) &&
              loaded.table.every((v, i) => v === m.table[(i % loaded.cols) * m.cols + Math.floor(i / loaded.cols)]);
            if (!same && !transposed)
              throw new Error(`${m.name} declared with ${how} loaded as a different multiplier`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
