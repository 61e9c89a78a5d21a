import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { exactReferenceGates } from './appmul.js';
import { exactMultiplyEnergyPj } from './energy.js';
import { brokenArrayMultiplier } from './families/broken-array.js';
import { exactMultiplier } from './families/exact.js';
import {
  GATES,
  adderGates,
  barrelShifterGates,
  keepAll,
  leadingOneDetectorGates,
  partialProductArrayGates,
  signMagnitudeWrapperGates,
} from './gate-count.js';

const u = (bits: number) => ({ bits, signed: false });

describe('gate-count proxy', () => {
  it('exact n x n array: n^2 AND2 and (n-1)^2 full adders', () => {
    expect(partialProductArrayGates(keepAll(4, 4))).toBeCloseTo(16 * GATES.and + 9 * GATES.fullAdder, 10);
    expect(partialProductArrayGates(keepAll(8, 8))).toBeCloseTo(64 * GATES.and + 49 * GATES.fullAdder, 10);
    expect(
      partialProductArrayGates([
        [false, false],
        [false, false],
      ]),
    ).toBe(0);
  });

  it('sign-magnitude wrapper is free for unsigned operands and grows with width', () => {
    expect(signMagnitudeWrapperGates(8, false, 8, false)).toBe(0);
    expect(signMagnitudeWrapperGates(8, false, 8, true)).toBeGreaterThan(0);
    expect(signMagnitudeWrapperGates(8, true, 8, true)).toBeGreaterThan(signMagnitudeWrapperGates(8, false, 8, true));
    expect(barrelShifterGates(8, 7)).toBeCloseTo(8 * 3 * GATES.mux2, 10);
  });

  it('energy = exact multiplier energy x gate ratio; the exact design gets the hw-model figure', () => {
    const exact = exactMultiplier({ a: u(6), w: u(4) });
    expect(exact.energyPj).toBeCloseTo(exactMultiplyEnergyPj(4, 6), 12);
    const bam = brokenArrayMultiplier({ a: u(6), w: u(4), hbl: 1, vbl: 3 });
    expect(bam.energyPj).toBeCloseTo((exactMultiplyEnergyPj(4, 6) * bam.gates!) / exactReferenceGates(u(6), u(4)), 12);
    expect(bam.gates!).toBeLessThan(exact.gates!);
    expect(bam.energySource).toBe('gate-count proxy');
  });

  it('checks sizes before allocating and never returns NaN', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => keepAll(1e9, 1e9), /bitsA = 1000000000/], // would allocate 1e18 booleans
      [() => keepAll(4, 2.5), /bitsW = 2.5/],
      [() => partialProductArrayGates(undefined as never), /kept = undefined/],
      [() => partialProductArrayGates([[1, 0]] as never), /kept\[0\]\[0\] = 1/],
      [() => partialProductArrayGates([[true], [true, false]]), /kept\[1\]/],
      [() => leadingOneDetectorGates(undefined as never), /bits = undefined/],
      [() => barrelShifterGates(8, NaN), /maxShift = NaN/],
      [() => adderGates(-1), /bits = -1/],
      [() => signMagnitudeWrapperGates(4, 'nope' as never, 4, false), /signedA = "nope"/],
      [() => signMagnitudeWrapperGates(4, true, 1e9, false), /bitsW = 1000000000/],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(LowbitConfigError);
      expect(call).toThrow(message);
    }
  });
});
