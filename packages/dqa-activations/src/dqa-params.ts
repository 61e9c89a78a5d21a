/**
 * `DqaParams`: everything that defines the DQA quantization of one activation tensor (one layer),
 * fixed after calibration. Channels are the last axis.
 *
 * - `bits` (N, 2..8): bits of every stored code.
 * - `extraBits` (m, 1..8): extra precision of important channels, stored as Huffman-coded shift errors.
 * - `scales`: `delta_N` per channel (float32, > 0), from calibration: `max|A| / 2^(N-1)`.
 * - `important`: indices of the important channels (quantized with N + m bits).
 * - `tableGranularity`: one Huffman table per important channel (`'channel'`) or one per layer.
 *
 * ```ts
 * const p = checkDqaParams({ bits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1], tableGranularity: 'layer' });
 * p.isImportant; // Uint8Array [0, 1]
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys, checkOneOf } from '@lowbit/quant-core';

export type TableGranularity = 'channel' | 'layer';
export const TABLE_GRANULARITIES: readonly TableGranularity[] = ['channel', 'layer'];

export interface DqaParams {
  bits: number;
  extraBits: number;
  scales: ArrayLike<number>;
  important: ArrayLike<number>;
  tableGranularity?: TableGranularity;
}

/** Validated, normalized {@link DqaParams}. */
export interface CheckedDqaParams {
  bits: number;
  extraBits: number;
  scales: Float32Array;
  /** Sorted, unique. */
  important: Int32Array;
  /** 1 for important channels, per channel. */
  isImportant: Uint8Array;
  tableGranularity: TableGranularity;
  channels: number;
}

export const MIN_BITS = 2;
export const MAX_BITS = 8;
export const MIN_EXTRA_BITS = 1;
export const MAX_EXTRA_BITS = 8;

/** Validates `params` (typed errors naming the argument) and normalizes it. */
export function checkDqaParams(params: DqaParams, argument = 'dqaParams'): CheckedDqaParams {
  if (typeof argument !== 'string' || argument.length === 0) {
    throw new LowbitConfigError('argument', argument, 'expected the name of the checked argument (a non-empty string)');
  }
  if (params === null || typeof params !== 'object') {
    throw new LowbitConfigError(argument, params, 'expected { bits, extraBits, scales, important, tableGranularity }');
  }
  // Already-checked params (from dqaParamsOf) carry derived fields too; those are rebuilt.
  const derived = 'isImportant' in params ? ['isImportant', 'channels'] : [];
  checkKnownKeys(argument, params, ['bits', 'extraBits', 'scales', 'important', 'tableGranularity', ...derived]);
  const bits = checkInteger(`${argument}.bits`, params.bits, MIN_BITS, MAX_BITS);
  const extraBits = checkInteger(`${argument}.extraBits`, params.extraBits, MIN_EXTRA_BITS, MAX_EXTRA_BITS);
  const tableGranularity = checkOneOf(
    `${argument}.tableGranularity`,
    params.tableGranularity ?? 'layer',
    TABLE_GRANULARITIES,
  );
  const rawScales = params.scales;
  if (
    rawScales === null ||
    typeof rawScales !== 'object' ||
    typeof rawScales.length !== 'number' ||
    rawScales.length < 1
  ) {
    throw new LowbitConfigError(`${argument}.scales`, rawScales, 'expected a non-empty array of per-channel steps');
  }
  const scales = new Float32Array(rawScales.length);
  for (let c = 0; c < scales.length; c++) {
    const s = rawScales[c];
    if (typeof s !== 'number' || !Number.isFinite(s) || !(Math.fround(s) > 0)) {
      throw new LowbitConfigError(
        `${argument}.scales[${c}]`,
        s,
        'expected a finite step > 0 (representable in float32)',
      );
    }
    scales[c] = s;
  }
  const channels = scales.length;
  const rawImportant = params.important;
  if (rawImportant === null || typeof rawImportant !== 'object' || typeof rawImportant.length !== 'number') {
    throw new LowbitConfigError(`${argument}.important`, rawImportant, 'expected an array of channel indices');
  }
  const isImportant = new Uint8Array(channels);
  for (let i = 0; i < rawImportant.length; i++) {
    const c = checkInteger(`${argument}.important[${i}]`, rawImportant[i], 0, channels - 1);
    if (isImportant[c])
      throw new LowbitConfigError(`${argument}.important[${i}]`, c, 'expected unique channel indices');
    isImportant[c] = 1;
  }
  const important = Int32Array.from(rawImportant).sort();
  return { bits, extraBits, scales, important, isImportant, tableGranularity, channels };
}
