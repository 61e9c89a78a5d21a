// Properties every quantizer of this folder shares, checked with fast-check on random inputs:
// the integer export reproduces call(); linear grids are idempotent and round to within half a
// step inside their range; the registry knows every alias and rejects unknown names.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffine } from '../ops/fake-quant-affine.js';
import type { Quantizer } from '../quantizer.js';
import { getQuantizer, knownQuantizers } from '../registry.js';
import { LowbitBinaryQuantizer } from './binary.js';
import { LowbitDorefaQuantizer } from './dorefa.js';
import { LowbitLinearFsrQuantizer, LowbitLogQuantizer, LowbitLogSqrt2Quantizer } from './log.js';
import { LowbitTernaryQuantizer } from './ternary.js';
import { LowbitUniformQuantizer } from './uniform.js';
import { LowbitWageQuantizer } from './wage.js';
import { LowbitWrpnQuantizer } from './wrpn.js';

const RUNS = { numRuns: 40, seed: 20261121 };
const floats = (lo: number, hi: number) =>
  fc.array(fc.float({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true, noDefaultInfinity: true }), {
    minLength: 1,
    maxLength: 24,
  });

/** Linear quantizers with a fixed grid: range [lo, hi] and step. */
const linear: { name: string; make: () => Quantizer; lo: number; hi: number; step: number }[] = [
  { name: 'wrpn w4', make: () => new LowbitWrpnQuantizer({ bits: 4 }), lo: -1, hi: 1, step: 1 / 7 },
  { name: 'wrpn w2 (ternary)', make: () => new LowbitWrpnQuantizer({ bits: 2 }), lo: -1, hi: 1, step: 1 },
  { name: 'wrpn a3', make: () => new LowbitWrpnQuantizer({ bits: 3, mode: 'activation' }), lo: 0, hi: 1, step: 1 / 7 },
  {
    name: 'dorefa a4',
    make: () => new LowbitDorefaQuantizer({ bits: 4, mode: 'activation' }),
    lo: 0,
    hi: 1,
    step: 1 / 15,
  },
  {
    name: 'uniform fixed',
    make: () => new LowbitUniformQuantizer({ bits: 5, range: [-2, 2] }),
    lo: -2,
    hi: 2,
    step: 2 / 15,
  },
  {
    name: 'uniform affine fixed',
    make: () => new LowbitUniformQuantizer({ bits: 4, signed: false, symmetric: false, range: [-1, 3] }),
    lo: -16 / 15,
    hi: 44 / 15,
    step: 4 / 15,
  },
  {
    name: 'linear-fsr',
    make: () => new LowbitLinearFsrQuantizer({ bits: 4, fsr: 1 }),
    lo: 0,
    hi: 2 - 1 / 8,
    step: 1 / 8,
  },
  {
    name: 'wage 8',
    make: () => new LowbitWageQuantizer({ bits: 8 }),
    lo: -1 + 1 / 128,
    hi: 1 - 1 / 128,
    step: 1 / 128,
  },
  {
    name: 'wage 3 act',
    make: () => new LowbitWageQuantizer({ bits: 3, mode: 'activation' }),
    lo: -0.75,
    hi: 0.75,
    step: 0.25,
  },
];

/** Every quantizer, including data-dependent ones (for the export property). */
const all: { name: string; make: () => Quantizer }[] = [
  ...linear,
  { name: 'wrpn w1', make: () => new LowbitWrpnQuantizer({ bits: 1 }) },
  { name: 'dorefa w3', make: () => new LowbitDorefaQuantizer({ bits: 3 }) },
  { name: 'uniform minmax per-tensor', make: () => new LowbitUniformQuantizer({ bits: 6 }) },
  { name: 'uniform affine minmax', make: () => new LowbitUniformQuantizer({ bits: 3, symmetric: false }) },
  { name: 'log2 auto', make: () => new LowbitLogQuantizer({ bits: 4 }) },
  { name: 'log-sqrt2 fixed', make: () => new LowbitLogSqrt2Quantizer({ bits: 5, fsr: 1 }) },
  { name: 'log2 unsigned', make: () => new LowbitLogQuantizer({ bits: 3, signed: false, fsr: 0 }) },
  { name: 'binary', make: () => new LowbitBinaryQuantizer() },
  { name: 'binary scaled', make: () => new LowbitBinaryQuantizer({ scaled: true }) },
  { name: 'ternary', make: () => new LowbitTernaryQuantizer() },
];

const run = (q: Quantizer, xs: number[]) => tf.tidy(() => Array.from(q.call(tf.tensor(xs)).dataSync()));

describe('quantizer contract (property tests)', () => {
  for (const { name, make } of all) {
    it(`${name}: quantize(x).dequantize() equals call(x) in inference`, () => {
      const q = make();
      fc.assert(
        fc.property(floats(-4, 4), (xs) => {
          const x = tf.tensor(xs);
          const exported = Array.from(q.quantize(x).dequantize());
          const direct = Array.from(q.call(x).dataSync());
          tf.dispose(x);
          expect(exported).toEqual(direct);
        }),
        RUNS,
      );
    });
  }

  for (const { name, make, lo, hi, step } of linear) {
    it(`${name}: idempotent, and within half a step inside its range`, () => {
      const q = make();
      fc.assert(
        fc.property(floats(-3, 3), (xs) => {
          const once = run(q, xs);
          expect(run(q, once)).toEqual(once);
          xs.forEach((v, i) => {
            if (v >= lo && v <= hi) expect(Math.abs(once[i] - v)).toBeLessThanOrEqual(step / 2 + 1e-6);
          });
        }),
        RUNS,
      );
    });
  }

  it('log quantizers with a fixed FSR are idempotent', () => {
    for (const q of [new LowbitLogQuantizer({ bits: 4, fsr: 1 }), new LowbitLogSqrt2Quantizer({ bits: 4, fsr: 1 })]) {
      fc.assert(
        fc.property(floats(-3, 3), (xs) => {
          const once = run(q, xs);
          expect(run(q, once)).toEqual(once);
        }),
        RUNS,
      );
    }
  });

  it('fakeQuantAffine: idempotent and within half a step, per tensor', () => {
    fc.assert(
      fc.property(floats(-3, 3), fc.integer({ min: 2, max: 10 }), fc.integer({ min: -3, max: 3 }), (xs, bits, zp) => {
        const p = { scale: 0.1, zeroPoint: zp, qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 };
        const once = tf.tidy(() => Array.from(fakeQuantAffine(tf.tensor(xs), p).dataSync()));
        expect(tf.tidy(() => Array.from(fakeQuantAffine(tf.tensor(once), p).dataSync()))).toEqual(once);
        const lo = (p.qmin - zp) * 0.1;
        const hi = (p.qmax - zp) * 0.1;
        xs.forEach((v, i) => {
          if (v >= lo && v <= hi) expect(Math.abs(once[i] - v)).toBeLessThanOrEqual(0.05 + 1e-6);
        });
      }),
      RUNS,
    );
  });
});

describe('quantizer memory', () => {
  it('no quantizer leaks tensors across repeated calls, gradient steps and exports', () => {
    const x = tf.randomNormal([4, 8], 0, 1.5, 'float32', 21);
    for (const { name, make } of [
      ...all,
      { name: 'uniform lsq', make: () => new LowbitUniformQuantizer({ bits: 4, range: 'lsq', perChannel: true }) },
      { name: 'uniform ema', make: () => new LowbitUniformQuantizer({ bits: 8, range: 'ema' }) },
    ]) {
      const q = make();
      const step = () => {
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(q.call(t, { training: true }))))(x).dispose();
        tf.dispose(q.call(x));
        q.quantize(x);
      };
      step(); // the first call may create state (EMA ranges, LSQ step)
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors, name).toBe(before);
      (q as { dispose?: () => void }).dispose?.();
    }
    x.dispose();
  });
});

describe('quantizer registry', () => {
  it('knows every alias of this folder', () => {
    const known = knownQuantizers();
    for (const alias of [
      'wrpn',
      'dorefa',
      'uniform',
      'log2',
      'log-sqrt2',
      'pow2',
      'linear-fsr',
      'wage',
      'binary',
      'ternary',
    ]) {
      expect(known).toContain(alias);
      expect(getQuantizer(alias)!.precision().bits).toBeGreaterThan(0);
    }
  });

  it('rejects an unknown alias with a LowbitConfigError listing the known names (never evaluating it)', () => {
    expect(() => getQuantizer('wrpm')).toThrow(LowbitConfigError);
    expect(() => getQuantizer('wrpm')).toThrow(/unknown quantizer; known: .*dorefa.*wrpn/);
    expect(() => getQuantizer('(() => { throw new Error("evaluated") })()')).toThrow(LowbitConfigError);
    expect(() => getQuantizer({ className: 'LowbitNope', config: {} })).toThrow(/LowbitNope/);
  });
});
