/**
 * Scalar rounding shared by every JS-loop kernel and codec in lowbit, so they all round exactly
 * as `tf.round` does (half to even) and agree bit for bit with the composed tf-op paths.
 *
 * ```ts
 * roundHalfEven(2.5);  // 2
 * roundHalfEven(-1.5); // -2
 * ```
 */
import { LowbitConfigError } from './errors.js';

/** Round half to even, written exactly as tfjs' cpu `Round` kernel (NaN stays NaN, +-Infinity stay). */
export function roundHalfEven(v: number): number {
  if (typeof v !== 'number') throw new LowbitConfigError('v', v, 'expected a number');
  const base = Math.floor(v);
  const frac = v - base;
  if (frac < 0.5) return base;
  if (frac > 0.5) return Math.ceil(v);
  return base % 2 === 0 ? base : base + 1;
}
