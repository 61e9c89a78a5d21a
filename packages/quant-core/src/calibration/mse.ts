/**
 * MSE-optimal clipping: the clipping threshold `t` that minimises the mean squared error between
 * the data and its quantized image on a uniform grid, found by searching `candidates` evenly
 * spaced thresholds `t_i = m * i / candidates`, i = 1..candidates, where `m` is the largest
 * magnitude the grid can reach (`max|x|` signed, `max(x, 0)` unsigned). `t = m` (plain min/max) is
 * always a candidate, so the result is never worse than min/max calibration on that grid.
 *
 * Grids (round is half-to-even, like `tf.round`):
 * - `signed`: symmetric, `L = 2^(bits-1) - 1` steps each side, `q(x) = clip(round(x / s), -L, L) * s`
 *   with `s = t / L`; range `[-t, t]`. Needs bits >= 2.
 * - unsigned: `L = 2^bits - 1`, `q(x) = clip(round(x / s), 0, L) * s`, `s = t / L`; range `[0, t]`.
 *
 * Heavy-tailed data (Laplace-like weights, activations) get a threshold well below `max|x|`: the
 * few clipped outliers cost less than the coarser step costs everything else.
 *
 * ```ts
 * const [lo, hi] = calibrateMse(weights, { bits: 4, signed: true });          // [-t, t]
 * const ranges = calibrateMse(weights, { bits: 4, signed: true, axis: -1 });   // per channel
 * clippingMse(weights.dataSync(), hi, { bits: 4, signed: true });              // the MSE at t
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { checkBoolean, checkFinite, checkInteger, checkKnownKeys } from '../validate.js';
import { type CalibrationRange, channelData } from './channel-data.js';
import { roundHalfEven } from '../rounding.js';

export interface MseOptions {
  /** Bit width of the grid: 2..16 when signed, 1..16 unsigned. */
  bits: number;
  /** Symmetric signed grid (`true`) or unsigned grid from 0 (`false`). */
  signed: boolean;
  /** Channel axis (negative counts from the end): one range per channel. */
  axis?: number;
  /** Number of thresholds tried, 1..10000 (default 100). */
  candidates?: number;
}

/** The grid of {@link clippingMse} / {@link calibrateMse}. */
export interface ClippingGrid {
  bits: number;
  signed: boolean;
}

/** MSE-optimal `[lo, hi]` (see the module docs), or one range per channel when `axis` is given. */
export function calibrateMse(x: tf.Tensor, options: MseOptions & { axis?: undefined }): CalibrationRange;
export function calibrateMse(x: tf.Tensor, options: MseOptions & { axis: number }): CalibrationRange[];
export function calibrateMse(x: tf.Tensor, options: MseOptions): CalibrationRange | CalibrationRange[] {
  if (options === null || typeof options !== 'object') {
    throw new LowbitConfigError('calibrateMse: options', options, 'expected { bits, signed, axis?, candidates? }');
  }
  checkKnownKeys('calibrateMse options', options, ['bits', 'signed', 'axis', 'candidates']);
  const grid = checkGrid('calibrateMse', options);
  const candidates = checkInteger('calibrateMse: candidates', options.candidates ?? 100, 1, 10_000);
  const ranges = channelData('calibrateMse', x, options.axis).map((values): CalibrationRange => {
    const t = bestThreshold(values, grid, candidates);
    return grid.signed ? [t === 0 ? 0 : -t, t] : [0, t];
  });
  return options.axis === undefined ? ranges[0] : ranges;
}

/**
 * Mean squared error between `values` and their quantized image on the grid with clipping
 * threshold `threshold` (>= 0; 0 maps everything to 0).
 */
export function clippingMse(values: ArrayLike<number>, threshold: number, grid: ClippingGrid): number {
  const g = checkGrid('clippingMse', grid);
  checkKnownKeys('clippingMse grid', grid, ['bits', 'signed']);
  checkFinite('clippingMse: threshold', threshold, { min: 0 });
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number' || values.length === 0) {
    throw new LowbitConfigError('clippingMse: values', values, 'expected a non-empty array of finite numbers');
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) checkFinite(`clippingMse: values[${i}]`, values[i]);
  }
  return mseAt(values, threshold, g);
}

function checkGrid(fn: string, grid: ClippingGrid): ClippingGrid {
  if (grid === null || typeof grid !== 'object')
    throw new LowbitConfigError(`${fn}: grid`, grid, 'expected { bits, signed }');
  const signed = checkBoolean(`${fn}: signed`, grid.signed);
  const bits = checkInteger(`${fn}: bits`, grid.bits, signed ? 2 : 1, 16);
  return { bits, signed };
}

function bestThreshold(values: Float32Array, grid: ClippingGrid, candidates: number): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, grid.signed ? Math.abs(values[i]) : values[i]);
  if (m === 0) return 0; // every threshold quantizes these values to 0 exactly (or clips all to 0)
  let best = m;
  let bestMse = mseAt(values, m, grid);
  for (let i = 1; i < candidates; i++) {
    const t = (m * i) / candidates;
    const mse = mseAt(values, t, grid);
    // Strictly better only: ties keep the wider range, which clips less.
    if (mse < bestMse) {
      best = t;
      bestMse = mse;
    }
  }
  return best;
}

function mseAt(values: ArrayLike<number>, t: number, { bits, signed }: ClippingGrid): number {
  const levels = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const lo = signed ? -levels : 0;
  let sum = 0;
  if (t === 0) {
    for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
    return sum / values.length;
  }
  const step = t / levels;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const q = Math.min(levels, Math.max(lo, roundHalfEven(v / step))) * step;
    sum += (v - q) * (v - q);
  }
  return sum / values.length;
}
