/**
 * Counting matrices (FAMES, arXiv 2411.18055): for a layer with activation codes `a`, weight codes `w` and
 * output `y = s * sum_k a_k w_k` (per output channel scale `s`),
 * `G[a][w] = sum over every multiplication whose operands are (a, w) of dL/dy_out * s`,
 * measured on calibration data at the exact multiplier. Replacing the multiplier by `m` changes
 * each product by `E_m[a][w] = M_m(a, w) - a w`, so to first order
 * `dL(m) ~ sum_{a,w} G[a][w] E_m[a][w]`: one dot product per (layer, multiplier) instead of a
 * network evaluation.
 *
 * Second order (our addition, measured in docs/results/fames.md): with `perSample`, one matrix
 * `G_b` per calibration sample is kept as well. `u_b = G_b . E_m` is sample b's share of the
 * first-order change, and with the empirical-Fisher (Gauss-Newton) curvature of each sample's
 * loss, `dL(m) ~ sum_b u_b + 1/2 sum_b u_b^2 / lambda`, where the loss is
 * `L = lambda * sum_b loss_b` (lambda = 1/B for a mean). The quadratic term is never negative and
 * grows with the error, which the first-order term misses at a trained net's near-zero gradient.
 *
 * Both are accumulated by one pass over every multiplication in plain JS (float64), reading the
 * codes and dL/dY once: `B K N` additions for a dense layer, `B Ho Wo kh kw Cin Cout` for a conv,
 * with no patch matrix or one-hot tensor. `G` uses the AppMul table layout
 * (`pattern(a) * 2^b_w + pattern(w)`).
 *
 * ```ts
 * const dy = tf.grad((y) => lossOf(y))(yExact);           // dL/dY at the exact multiplier
 * const G = denseCountingMatrix(aCodes, wCodes, dy, { a, w }, scale, { perSample: true });
 * const estimate = estimateLossChange(G, candidate);        // ~ L(candidate) - L(exact)
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  LowbitDataError,
  checkBoolean,
  checkFinite,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkRank,
} from '@lowbit/quant-core';
import { AppMul, type OperandOptions } from './appmul.js';
import { checkOperand, codeRange } from './operand.js';
import { checkCounting } from './counting-check.js';
import { axisPadding, normalisePair, normaliseStrides, type PatchGeometry } from './simulate/patches.js';

/**
 * Per-sample counting matrices (second-order term), stored sparse: a sample touches only the
 * (a, w) pairs it multiplies. Matrix `s` holds entries `offsets[s] .. offsets[s + 1] - 1` of
 * `index` (table position) and `value`.
 */
export interface PerSampleCounting {
  /** Number of matrices (samples, or groups of consecutive samples when memory caps them). */
  count: number;
  /** Samples summed into each matrix (1 unless capped by `maxEntries`). */
  samplesPerMatrix: number;
  /** lambda in `L = lambda * sum_b loss_b` (1 / batch for a mean loss). */
  lossWeight: number;
  offsets: Int32Array;
  index: Int32Array;
  value: Float32Array;
}

/** A counting matrix with the operand specs it was measured for. */
export interface CountingMatrix {
  a: OperandOptions['a'];
  w: OperandOptions['w'];
  /** `2^(b_a + b_w)` entries in the AppMul table layout: the sum over samples. */
  g: Float64Array;
  /** Present when measured with `perSample: true`. */
  perSample?: PerSampleCounting;
}

export interface CountingOptions {
  /** Also keep one matrix per calibration sample for the second-order estimate. Default false. */
  perSample?: boolean;
  /** lambda in `L = lambda * sum_b loss_b`. Default `1 / samples` (the loss is a mean over samples). */
  lossWeight?: number;
  /** Rows of `aCodes` / `dLdY` per sample (dense layers applied to sequences). Default 1. */
  rowsPerSample?: number;
  /**
   * Cap on stored per-sample entries (dense equivalent, samples x 2^(b_a + b_w)); beyond it
   * consecutive samples share a matrix. Default 2^24.
   */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 2 ** 24;

function scaledGradients(dLdY: tf.Tensor, outputScale: number | ArrayLike<number>, N: number): Float64Array {
  let scale: Float64Array;
  if (typeof outputScale === 'number') {
    if (!Number.isFinite(outputScale))
      throw new LowbitConfigError('outputScale', outputScale, 'expected a finite number or one per output channel');
    scale = new Float64Array(N).fill(outputScale);
  } else {
    const s = Array.from(outputScale ?? []);
    if (s.length !== N || !s.every(Number.isFinite))
      throw new LowbitConfigError(
        'outputScale',
        outputScale,
        `expected a finite number or ${N} finite numbers (one per output channel)`,
      );
    scale = Float64Array.from(s);
  }
  const dy = dLdY.dataSync();
  const out = new Float64Array(dy.length);
  for (let i = 0; i < dy.length; i++) {
    const v = dy[i] * scale[i % N];
    // A NaN / Infinity gradient would make every estimate NaN: refuse it here, where it can be named.
    if (!Number.isFinite(v))
      throw new LowbitDataError(
        'countingMatrix',
        `dLdY[${i}] = ${dy[i]} is not finite: check the loss on the calibration data`,
      );
    out[i] = v;
  }
  return out;
}

/** Bit patterns of the codes (`code & (2^bits - 1)`), after checking they lie in the operand's range. */
function patternsOf(name: string, t: tf.Tensor, spec: OperandOptions['a']): Int32Array {
  const [lo, hi] = codeRange(spec);
  const v = t.dataSync();
  const mask = 2 ** spec.bits - 1;
  const out = new Int32Array(v.length);
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (!Number.isInteger(c))
      throw new LowbitDataError('countingMatrix', `${name}[${i}] = ${c} is not an integer code`);
    if (c < mn) mn = c;
    if (c > mx) mx = c;
    out[i] = c & mask;
  }
  if (v.length > 0 && (mn < lo || mx > hi))
    throw new LowbitDataError('countingMatrix', `${name} span [${mn}, ${mx}], outside [${lo}, ${hi}]`);
  return out;
}

/**
 * Accumulates one sample's matrix in `acc` (float64) through `visitSample`, then folds it into the
 * total and, when asked, into the per-sample store.
 */
function accumulate(
  operands: OperandOptions,
  samples: number,
  options: CountingOptions,
  visitSample: (sample: number, acc: Float64Array) => void,
): CountingMatrix {
  const { a, w } = operands; // checked by the caller
  const perSample = checkBoolean('perSample', options.perSample ?? false);
  const lossWeight =
    options.lossWeight === undefined
      ? 1 / Math.max(1, samples)
      : checkFinite('lossWeight', options.lossWeight, { min: 0, exclusiveMin: true });
  const maxEntries =
    options.maxEntries === undefined ? DEFAULT_MAX_ENTRIES : checkInteger('maxEntries', options.maxEntries, 1, 2 ** 31);
  const size = 2 ** (a.bits + w.bits);
  const g = new Float64Array(size);
  const acc = new Float64Array(size);
  const perMatrix = Math.max(1, Math.ceil((samples * size) / maxEntries));
  const count = perSample ? Math.ceil(samples / perMatrix) : 0;
  const offsets = new Int32Array(count + 1);
  const index: number[] = [];
  const value: number[] = [];
  const flush = (matrix: number) => {
    for (let i = 0; i < size; i++) {
      const v = acc[i];
      if (v !== 0) {
        g[i] += v;
        if (perSample) {
          index.push(i);
          value.push(v);
        }
      }
    }
    if (perSample) offsets[matrix + 1] = index.length;
    acc.fill(0);
  };
  for (let s = 0; s < samples; s++) {
    visitSample(s, acc);
    if ((s + 1) % perMatrix === 0 || s === samples - 1) flush(Math.floor(s / perMatrix));
  }
  const stored = perSample
    ? {
        perSample: {
          count,
          samplesPerMatrix: perMatrix,
          lossWeight,
          offsets,
          index: Int32Array.from(index),
          value: Float32Array.from(value),
        },
      }
    : {};
  return { a, w, g, ...stored };
}

/** Dense layer: `aCodes` `[B, K]`, `wCodes` `[K, N]`, `dLdY` `[B, N]`. */
export function denseCountingMatrix(
  aCodes: tf.Tensor2D,
  wCodes: tf.Tensor2D,
  dLdY: tf.Tensor2D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number> = 1,
  options: CountingOptions = {},
): CountingMatrix {
  const { a, w } = checkOperands(operands);
  checkCountingOptions(options);
  checkRank('aCodes', aCodes, [2]);
  checkRank('wCodes', wCodes, [2]);
  checkRank('dLdY', dLdY, [2]);
  const [B, K] = aCodes.shape;
  const N = wCodes.shape[1];
  if (wCodes.shape[0] !== K) throw new LowbitConfigError('wCodes', wCodes, `expected ${K} rows to match aCodes`);
  if (dLdY.shape[0] !== B || dLdY.shape[1] !== N)
    throw new LowbitConfigError('dLdY', dLdY, `expected shape [${B}, ${N}]`);
  const rowsPerSample = checkInteger('rowsPerSample', options.rowsPerSample ?? 1, 1, Math.max(1, B));
  if (B % rowsPerSample !== 0)
    throw new LowbitConfigError('rowsPerSample', rowsPerSample, `expected a divisor of the ${B} rows`);
  const dy = scaledGradients(dLdY, outputScale, N);
  const aPat = patternsOf('aCodes', aCodes, a);
  const wPat = patternsOf('wCodes', wCodes, w);
  const nW = 2 ** w.bits;
  return accumulate({ a, w }, B / rowsPerSample, options, (s, acc) => {
    for (let r = s * rowsPerSample; r < (s + 1) * rowsPerSample; r++) {
      const dyRow = r * N;
      if (allZero(dy, dyRow, N)) continue;
      for (let k = 0; k < K; k++) {
        const rowBase = aPat[r * K + k] * nW;
        const wRow = k * N;
        for (let o = 0; o < N; o++) acc[rowBase + wPat[wRow + o]] += dy[dyRow + o];
      }
    }
  });
}

function checkOperands(operands: OperandOptions): OperandOptions {
  if (operands === null || typeof operands !== 'object' || Array.isArray(operands))
    throw new LowbitConfigError('operands', operands, 'expected { a, w } operand specs');
  // Only a and w are read: another counting matrix (or anything carrying them) is fine.
  return { a: checkOperand('a', operands.a), w: checkOperand('w', operands.w) };
}

function checkCountingOptions(options: CountingOptions): void {
  checkKnownKeys('options', options, ['perSample', 'lossWeight', 'rowsPerSample', 'maxEntries']);
}

function allZero(v: Float64Array, start: number, n: number): boolean {
  for (let i = start; i < start + n; i++) if (v[i] !== 0) return false;
  return true;
}

/** The convolution geometry, checked, with the output size and leading padding of each axis. */
function convGeometry(H: number, W: number, kh: number, kw: number, geometry: PatchGeometry) {
  checkKnownKeys('geometry', geometry, ['strides', 'padding', 'dilations']);
  const [sh, sw] = normaliseStrides(geometry?.strides);
  const [dh, dw] = normalisePair('dilations', geometry?.dilations);
  const padding = checkOneOf('padding', geometry?.padding ?? 'valid', ['valid', 'same'] as const);
  const [Ho, padTop] = axisPadding(H, kh, sh, padding, dh);
  const [Wo, padLeft] = axisPadding(W, kw, sw, padding, dw);
  return { sh, sw, dh, dw, Ho, Wo, padTop, padLeft };
}

/**
 * What the conv and depthwise counting matrices share: operand and rank checks, the geometry, the
 * `dLdY` shape check (`outChannels` from the kernel's last dimension and the input channels),
 * scaled gradients and the code patterns of both operands.
 */
function convCountingInputs(
  xCodes: tf.Tensor4D,
  wCodes: tf.Tensor4D,
  dLdY: tf.Tensor4D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number>,
  geometry: PatchGeometry,
  outChannels: (kernelLast: number, inputChannels: number) => number,
  options: CountingOptions,
) {
  const { a, w } = checkOperands(operands);
  checkCountingOptions(options);
  checkRank('xCodes', xCodes, [4]);
  checkRank('wCodes', wCodes, [4]);
  checkRank('dLdY', dLdY, [4]);
  const [B, H, Wd, C] = xCodes.shape;
  const [kh, kw, cin, last] = wCodes.shape;
  if (cin !== C) throw new LowbitConfigError('wCodes', wCodes, `expected ${C} input channels to match xCodes`);
  const { sh, sw, dh, dw, Ho, Wo, padTop, padLeft } = convGeometry(H, Wd, kh, kw, geometry);
  if (!(Ho > 0 && Wo > 0))
    throw new LowbitConfigError('xCodes', xCodes, `is smaller than the ${kh}x${kw} kernel with this geometry`);
  const N = outChannels(last, C);
  if (dLdY.shape[0] !== B || dLdY.shape[1] !== Ho || dLdY.shape[2] !== Wo || dLdY.shape[3] !== N) {
    throw new LowbitConfigError('dLdY', dLdY, `expected shape [${B}, ${Ho}, ${Wo}, ${N}]`);
  }
  const dy = scaledGradients(dLdY, outputScale, N);
  const xPat = patternsOf('xCodes', xCodes, a);
  const wPat = patternsOf('wCodes', wCodes, w);
  return {
    a,
    w,
    B,
    H,
    Wd,
    C,
    kh,
    kw,
    last,
    sh,
    sw,
    dh,
    dw,
    Ho,
    Wo,
    padTop,
    padLeft,
    N,
    dy,
    xPat,
    wPat,
    nW: 2 ** w.bits,
  };
}

/**
 * Conv2d layer: `xCodes` `[B, H, W, Cin]`, `wCodes` `[kh, kw, Cin, Cout]`, `dLdY` `[B, Ho, Wo, Cout]`
 * (NHWC), any strides, 'valid' / 'same' padding and dilation.
 * Padded positions multiply the code 0 (the code of the value 0 for zero-point-free quantizers).
 */
export function conv2dCountingMatrix(
  xCodes: tf.Tensor4D,
  wCodes: tf.Tensor4D,
  dLdY: tf.Tensor4D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number> = 1,
  geometry: PatchGeometry = {},
  options: CountingOptions = {},
): CountingMatrix {
  const {
    a,
    w,
    B,
    H,
    Wd,
    C,
    kh,
    kw,
    last: N,
    sh,
    sw,
    dh,
    dw,
    Ho,
    Wo,
    padTop,
    padLeft,
    dy,
    xPat,
    wPat,
    nW,
  } = convCountingInputs(xCodes, wCodes, dLdY, operands, outputScale, geometry, (last) => last, options);
  return accumulate({ a, w }, B, options, (b, acc) => {
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        const dyRow = ((b * Ho + oy) * Wo + ox) * N;
        if (allZero(dy, dyRow, N)) continue;
        for (let i = 0; i < kh; i++) {
          const y = oy * sh + i * dh - padTop;
          const rowInside = y >= 0 && y < H;
          for (let j = 0; j < kw; j++) {
            const x = ox * sw + j * dw - padLeft;
            const inside = rowInside && x >= 0 && x < Wd;
            const xBase = ((b * H + y) * Wd + x) * C;
            for (let c = 0; c < C; c++) {
              const rowBase = (inside ? xPat[xBase + c] : 0) * nW;
              const wRow = ((i * kw + j) * C + c) * N;
              for (let o = 0; o < N; o++) acc[rowBase + wPat[wRow + o]] += dy[dyRow + o];
            }
          }
        }
      }
  });
}

/**
 * Depthwise conv2d layer: `xCodes` `[B, H, W, C]`, `wCodes` `[kh, kw, C, dm]`, `dLdY`
 * `[B, Ho, Wo, C dm]` (NHWC; output channel `c * dm + q` multiplies input channel c by filter q),
 * any strides, padding and dilation; `outputScale` one number or one per output channel.
 */
export function depthwiseConv2dCountingMatrix(
  xCodes: tf.Tensor4D,
  wCodes: tf.Tensor4D,
  dLdY: tf.Tensor4D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number> = 1,
  geometry: PatchGeometry = {},
  options: CountingOptions = {},
): CountingMatrix {
  const {
    a,
    w,
    B,
    H,
    Wd,
    C,
    kh,
    kw,
    last: dm,
    sh,
    sw,
    dh,
    dw,
    Ho,
    Wo,
    padTop,
    padLeft,
    N,
    dy,
    xPat,
    wPat,
    nW,
  } = convCountingInputs(
    xCodes,
    wCodes,
    dLdY,
    operands,
    outputScale,
    geometry,
    (last, channels) => channels * last,
    options,
  );
  return accumulate({ a, w }, B, options, (b, acc) => {
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        const dyRow = ((b * Ho + oy) * Wo + ox) * N;
        if (allZero(dy, dyRow, N)) continue;
        for (let i = 0; i < kh; i++) {
          const y = oy * sh + i * dh - padTop;
          const rowInside = y >= 0 && y < H;
          for (let j = 0; j < kw; j++) {
            const x = ox * sw + j * dw - padLeft;
            const inside = rowInside && x >= 0 && x < Wd;
            const xBase = ((b * H + y) * Wd + x) * C;
            for (let c = 0; c < C; c++) {
              const rowBase = (inside ? xPat[xBase + c] : 0) * nW;
              const wRow = ((i * kw + j) * C + c) * dm;
              for (let q = 0; q < dm; q++) acc[rowBase + wPat[wRow + q]] += dy[dyRow + c * dm + q];
            }
          }
        }
      }
  });
}

/** The two terms of the estimate; `secondOrder` is 0 without per-sample matrices. */
export interface LossChangeTerms {
  firstOrder: number;
  secondOrder: number;
}

/** `a4u`, `w8s`: an operand's letter, width and signedness. */
function operandName(letter: string, spec: OperandOptions['a']): string {
  return `${letter}${spec.bits}${spec.signed ? 's' : 'u'}`;
}

function checkFits(counting: CountingMatrix, m: AppMul): void {
  checkCounting(counting);
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul');
  if (
    counting.a.bits !== m.a.bits ||
    counting.a.signed !== m.a.signed ||
    counting.w.bits !== m.w.bits ||
    counting.w.signed !== m.w.signed
  ) {
    throw new LowbitConfigError(
      'm',
      m.name,
      `expected a multiplier for ${operandName('a', counting.a)} x ${operandName('w', counting.w)} operands ` +
        "(the counting matrix's)",
    );
  }
}

/** First-order term `sum G E_m` and, with per-sample matrices, `1/2 sum_b (G_b . E_m)^2 / lambda`. */
export function estimateLossTerms(counting: CountingMatrix, m: AppMul): LossChangeTerms {
  checkFits(counting, m);
  const e = m.errorTable();
  const nonzero: number[] = [];
  for (let i = 0; i < e.length; i++) if (e[i] !== 0) nonzero.push(i);
  let firstOrder = 0;
  for (const i of nonzero) firstOrder += counting.g[i] * e[i];
  let secondOrder = 0;
  const ps = counting.perSample;
  if (ps) {
    let sumSq = 0;
    for (let s = 0; s < ps.count; s++) {
      let u = 0;
      for (let j = ps.offsets[s]; j < ps.offsets[s + 1]; j++) u += ps.value[j] * e[ps.index[j]];
      sumSq += u * u;
    }
    secondOrder = (0.5 * sumSq) / ps.lossWeight;
  }
  return { firstOrder, secondOrder };
}

export interface EstimateOptions {
  /** 1: first-order term only; 2: plus the second-order term (needs per-sample matrices). Default: 2 when available. */
  order?: 1 | 2;
}

/** Estimated loss change of swapping the exact multiplier for `m` (see the module comment). */
export function estimateLossChange(counting: CountingMatrix, m: AppMul, options: EstimateOptions = {}): number {
  checkFits(counting, m);
  checkKnownKeys('options', options, ['order']);
  const order = options.order ?? (counting.perSample ? 2 : 1);
  if (order !== 1 && order !== 2) throw new LowbitConfigError('order', order, 'expected 1 or 2');
  if (order === 2 && !counting.perSample)
    throw new LowbitConfigError(
      'order',
      order,
      'the second-order term needs a counting matrix measured with perSample: true',
    );
  const t = estimateLossTerms(counting, m);
  return order === 2 ? t.firstOrder + t.secondOrder : t.firstOrder;
}
