import { describe, expect, it } from 'vitest';
import { joinShiftError, splitShiftError } from './shift-split.js';
import { signedCodeRange } from './direct-quant.js';

describe('shift-error split', () => {
  it('splits a negative q+ with an arithmetic (flooring) shift', () => {
    expect(splitShiftError(-13, 3)).toEqual({ code: -2, error: 3 });
    expect(splitShiftError(-1, 3)).toEqual({ code: -1, error: 7 });
    expect(splitShiftError(-8, 3)).toEqual({ code: -1, error: 0 });
    expect(splitShiftError(13, 3)).toEqual({ code: 1, error: 5 });
  });

  it('(code << m) | k == q+ exactly for every (N+m)-bit q+, with code an N-bit code and k < 2^m', () => {
    for (let n = 2; n <= 8; n++) {
      for (let m = 1; m <= 8; m++) {
        const [lo, hi] = signedCodeRange(n + m);
        const [loN, hiN] = signedCodeRange(n);
        for (let q = lo; q <= hi; q++) {
          const { code, error } = splitShiftError(q, m);
          if (joinShiftError(code, error, m) !== q) throw new Error(`join failed for q+=${q}, m=${m}`);
          if (code < loN || code > hiN) throw new Error(`code ${code} outside ${n} bits for q+=${q}`);
          if (error < 0 || error >= 2 ** m) throw new Error(`error ${error} outside [0, 2^${m})`);
          // Dequantization identity: code + k / 2^m == q+ / 2^m.
          if (code + error / 2 ** m !== q / 2 ** m) throw new Error(`value mismatch for q+=${q}`);
        }
      }
    }
    expect(joinShiftError(-2, 3, 3)).toBe(-13);
  });
});
