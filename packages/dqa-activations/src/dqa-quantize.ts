/**
 * The DQA quantizer itself, in two forms that agree bit for bit:
 *
 * - {@link dqaFakeQuant}: a tfjs op (float32 in, float32 out) used by `LowbitDqaQuantizer`.
 * - {@link dqaQuantizeValues}: a JS reference producing the stored integers (N-bit codes and the
 *   shift errors of important channels) and the same float32 output; the encoder uses it.
 *
 * Ordinary channel c: `q = clamp(round(A / delta_N), -2^(N-1), 2^(N-1) - 1)`, value `delta_N * q`.
 * Important channel c: `delta_(N+m) = delta_N / 2^m` (exact in float32: a power-of-two division),
 * `q+ = clamp(round(A / delta_(N+m)), -2^(N+m-1), 2^(N+m-1) - 1)`, stored as `code = q+ >> m` and
 * `k = q+ & (2^m - 1)` (see shift-split.ts); value `delta_N * (code + k / 2^m) = delta_(N+m) * q+`.
 *
 * NaN activations: `dqaFakeQuant` keeps them NaN (as tfjs ops do); `dqaQuantizeValues` (and so the
 * encoder) throws a LowbitDataError naming the index.
 *
 * ```ts
 * const p = { bits: 3, extraBits: 3, scales: [0.5, 0.5], important: [1] };
 * dqaQuantizeValues(Float32Array.of(0.3, 0.3), p).output; // [0.5, 0.3125]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, checkTensor } from '@lowbit/quant-core';
import { checkDqaParams, type CheckedDqaParams, type DqaParams } from './dqa-params.js';
import { signedCodeRange } from './direct-quant.js';

/** Per-channel step and code range actually used (important channels at N + m bits). */
export interface ChannelGrid {
  step: Float32Array;
  lo: Float32Array;
  hi: Float32Array;
}

/** The step and clamp range of every channel. */
export function channelGrid(params: CheckedDqaParams): ChannelGrid {
  const p = checkDqaParams(params, 'p');
  const step = new Float32Array(p.channels);
  const lo = new Float32Array(p.channels);
  const hi = new Float32Array(p.channels);
  const [loN, hiN] = signedCodeRange(p.bits);
  const [loNm, hiNm] = signedCodeRange(p.bits + p.extraBits);
  const div = 2 ** p.extraBits;
  for (let c = 0; c < p.channels; c++) {
    const imp = p.isImportant[c] === 1;
    step[c] = imp ? p.scales[c] / div : p.scales[c];
    lo[c] = imp ? loNm : loN;
    hi[c] = imp ? hiNm : hiN;
  }
  return { step, lo, hi };
}

/**
 * Fake-quantizes `x` (channels last) with DQA; the output has x's shape and dtype float32.
 * Forward only: callers wanting a gradient wrap it (`LowbitDqaQuantizer` uses a straight-through
 * estimator).
 */
export function dqaFakeQuant(x: tf.Tensor, params: DqaParams | CheckedDqaParams): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32', minRank: 1 });
  const p = checkDqaParams(params, 'params');
  if (x.shape[x.rank - 1] !== p.channels) {
    throw new LowbitConfigError('x.shape', x.shape, `expected ${p.channels} channels on the last axis (one per scale)`);
  }
  const grid = channelGrid(p);
  return tf.tidy(() => {
    const step = tf.tensor1d(grid.step);
    // `+ 0` turns a -0 (round of a small negative value) into +0: a stored code 0 has no sign,
    // so this keeps the quantized activations bit-identical to what decode restores.
    const q = tf.add(tf.minimum(tf.maximum(tf.round(tf.div(x, step)), tf.tensor1d(grid.lo)), tf.tensor1d(grid.hi)), 0);
    return tf.mul(q, step);
  });
}

/** What {@link dqaQuantizeValues} returns. */
export interface DqaQuantized {
  /** N-bit signed code of every element, flat channels-last order. */
  codes: Int8Array;
  /** Shift error k in [0, 2^m - 1] of every element of an important channel, in flat order. */
  errors: Uint8Array;
  /** Channel of each entry of `errors`. */
  errorChannels: Int32Array;
  /** The dequantized values, equal bit for bit to {@link dqaFakeQuant}. */
  output: Float32Array;
}

/** Quantizes flat channels-last float values; throws {@link LowbitDataError} on NaN. */
export function dqaQuantizeValues(values: ArrayLike<number>, params: DqaParams | CheckedDqaParams): DqaQuantized {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new LowbitConfigError('values', values, 'expected an array of flat channels-last values');
  }
  const p = checkDqaParams(params, 'params');
  const C = p.channels;
  if (values.length % C !== 0) {
    throw new LowbitDataError(
      'dqaQuantizeValues',
      `${values.length} values are not a whole number of rows of ${C} channels`,
    );
  }
  const { step, lo, hi } = channelGrid(p);
  const isImportant = p.isImportant;
  const m = p.extraBits;
  const mask = (1 << m) - 1;
  const n = values.length;
  const rows = n / C;
  const codes = new Int8Array(n);
  const output = new Float32Array(n);
  const errorCount = rows * p.important.length;
  const errors = new Uint8Array(errorCount);
  const errorChannels = new Int32Array(errorCount);
  let e = 0;
  // Hot loop (the encoder's cost): rows x channels, no modulo. Clamping before rounding equals
  // clamping after (the bounds are integers) and keeps Math.round in int32 range; Math.round
  // rounds halves up, so an odd result exactly 0.5 above t steps back down: half to even, as
  // tf.round. `| 0` also turns -0 into +0 (see dqaFakeQuant).
  for (let row = 0, i = 0; row < rows; row++) {
    for (let c = 0; c < C; c++, i++) {
      let t = Math.fround(values[i] / step[c]);
      if (t !== t) throw new LowbitDataError('dqaQuantizeValues', `activation at index ${i} is NaN`);
      if (t < lo[c]) t = lo[c];
      else if (t > hi[c]) t = hi[c];
      let q = Math.round(t);
      if (q - t === 0.5 && (q & 1) !== 0) q -= 1;
      q |= 0;
      output[i] = q * step[c];
      if (isImportant[c]) {
        codes[i] = q >> m;
        errors[e] = q & mask;
        errorChannels[e++] = c;
      } else {
        codes[i] = q;
      }
    }
  }
  return { codes, errors, errorChannels, output };
}
