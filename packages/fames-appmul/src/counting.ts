/**
 * Counting matrices (DESIGN.md 4.7): for a layer with activation codes `a`, weight codes `w` and
 * output `y = s * sum_k a_k w_k` (per output channel scale `s`),
 * `G[a][w] = sum over every multiplication whose operands are (a, w) of dL/dy_out * s`,
 * measured on calibration data at the exact multiplier. Replacing the multiplier by `m` changes
 * each product by `E_m[a][w] = M_m(a, w) - a w`, so to first order
 * `dL(m) ~ sum_{a,w} G[a][w] E_m[a][w]` ({@link estimateLossChange}): one dot product per
 * (layer, multiplier) instead of a network evaluation.
 *
 * Dense: `G = sum_o sum_k (onehot_a(X)^T dL/dY)[k, o] [W[k, o] = w]`, computed as two matmuls
 * per chunk of k. Conv2d: the same on image patches. `G` uses the AppMul table layout
 * (`pattern(a) * 2^b_w + pattern(w)`), accumulated in float32 on the backend, returned as float64.
 *
 * ```ts
 * const dy = tf.grad((y) => lossOf(y))(yExact);           // dL/dY at the exact multiplier
 * const G = denseCountingMatrix(aCodes, wCodes, dy, { a, w }, scale);
 * const estimate = estimateLossChange(G, candidate);        // ~ L(candidate) - L(exact)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, checkRank } from '@lowbit/quant-core';
import type { AppMul, OperandOptions } from './appmul.js';
import { checkOperand, codeRange } from './operand.js';
import { extractPatches, type ConvGeometry } from './simulate/patches.js';

/** A counting matrix with the operand specs it was measured for. */
export interface CountingMatrix {
  a: OperandOptions['a'];
  w: OperandOptions['w'];
  /** `2^(b_a + b_w)` entries in the AppMul table layout. */
  g: Float64Array;
}

function scaleTensor(outputScale: number | ArrayLike<number>, N: number): tf.Tensor {
  if (typeof outputScale === 'number') {
    if (!Number.isFinite(outputScale)) throw new LowbitConfigError('outputScale', outputScale, 'expected a finite number or one per output channel');
    return tf.scalar(outputScale);
  }
  const s = Array.from(outputScale ?? []);
  if (s.length !== N || !s.every(Number.isFinite)) throw new LowbitConfigError('outputScale', outputScale, `expected a finite number or ${N} finite numbers (one per output channel)`);
  return tf.tensor1d(s);
}

/** Dense layer: `aCodes` `[B, K]`, `wCodes` `[K, N]`, `dLdY` `[B, N]`. */
export function denseCountingMatrix(
  aCodes: tf.Tensor2D,
  wCodes: tf.Tensor2D,
  dLdY: tf.Tensor2D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number> = 1,
): CountingMatrix {
  const a = checkOperand('a', operands?.a);
  const w = checkOperand('w', operands?.w);
  checkRank('aCodes', aCodes, [2]);
  checkRank('wCodes', wCodes, [2]);
  checkRank('dLdY', dLdY, [2]);
  const [B, K] = aCodes.shape;
  const N = wCodes.shape[1];
  if (wCodes.shape[0] !== K) throw new LowbitConfigError('wCodes', wCodes, `expected ${K} rows to match aCodes`);
  if (dLdY.shape[0] !== B || dLdY.shape[1] !== N) throw new LowbitConfigError('dLdY', dLdY, `expected shape [${B}, ${N}]`);
  const [aMin, aMax] = codeRange(a);
  const [wMin, wMax] = codeRange(w);
  const nA = 2 ** a.bits;
  const nW = 2 ** w.bits;
  const offsetG = tf.tidy(() => {
    for (const [name, t, lo, hi] of [['aCodes', aCodes, aMin, aMax], ['wCodes', wCodes, wMin, wMax]] as const) {
      const [mn, mx] = [tf.min(t).dataSync()[0], tf.max(t).dataSync()[0]];
      if (t.size > 0 && (mn < lo || mx > hi)) throw new LowbitDataError('countingMatrix', `${name} span [${mn}, ${mx}], outside [${lo}, ${hi}]`);
    }
    const dy = tf.mul(tf.cast(dLdY, 'float32'), scaleTensor(outputScale, N));
    const aIdx = tf.sub(tf.cast(aCodes, 'int32'), tf.scalar(aMin, 'int32'));
    const wIdx = tf.sub(tf.cast(wCodes, 'int32'), tf.scalar(wMin, 'int32'));
    // Chunk over k so that the one-hot activations [B, kc, nA] and H [kc nA, N] stay small.
    const kc = Math.max(1, Math.min(K, Math.floor(4_000_000 / (nA * Math.max(B, N, nW)))));
    let g: tf.Tensor = tf.zeros([nA, nW]);
    for (let k0 = 0; k0 < K; k0 += kc) {
      const kn = Math.min(kc, K - k0);
      const step = tf.tidy(() => {
        const oa = tf.reshape(tf.oneHot(tf.slice(aIdx, [0, k0], [B, kn]), nA), [B, kn * nA]);
        const h = tf.matMul(oa, dy, true, false); // [kn nA, N]: (onehot_a(X)^T dL/dY)[k, a, o]
        const hByA = tf.reshape(tf.transpose(tf.reshape(h, [kn, nA, N]), [1, 0, 2]), [nA, kn * N]);
        const ow = tf.reshape(tf.oneHot(tf.slice(wIdx, [k0, 0], [kn, N]), nW), [kn * N, nW]);
        return tf.matMul(hByA, ow); // [nA, nW]
      });
      const next = tf.add(g, step);
      tf.dispose([g, step]);
      g = next;
    }
    return g;
  });
  const byOffset = offsetG.dataSync();
  offsetG.dispose();
  const g = new Float64Array(nA * nW);
  for (let ia = 0; ia < nA; ia++) for (let iw = 0; iw < nW; iw++) {
    g[((aMin + ia) & (nA - 1)) * nW + ((wMin + iw) & (nW - 1))] = byOffset[ia * nW + iw];
  }
  return { a, w, g };
}

/** Conv2d layer: `xCodes` `[B, H, W, Cin]`, `wCodes` `[kh, kw, Cin, Cout]`, `dLdY` `[B, Ho, Wo, Cout]`. */
export function conv2dCountingMatrix(
  xCodes: tf.Tensor4D,
  wCodes: tf.Tensor4D,
  dLdY: tf.Tensor4D,
  operands: OperandOptions,
  outputScale: number | ArrayLike<number> = 1,
  geometry: ConvGeometry = {},
): CountingMatrix {
  checkRank('xCodes', xCodes, [4]);
  checkRank('wCodes', wCodes, [4]);
  checkRank('dLdY', dLdY, [4]);
  const [kh, kw, , cout] = wCodes.shape;
  const [patches2d, w2d, dy2d] = tf.tidy(() => {
    const p = extractPatches(xCodes, kh, kw, geometry.strides, geometry.padding);
    const [B, Ho, Wo, P] = p.shape;
    if (dLdY.shape[0] !== B || dLdY.shape[1] !== Ho || dLdY.shape[2] !== Wo || dLdY.shape[3] !== cout) {
      throw new LowbitConfigError('dLdY', dLdY, `expected shape [${B}, ${Ho}, ${Wo}, ${cout}]`);
    }
    return [tf.reshape(p, [B * Ho * Wo, P]), tf.reshape(wCodes, [P, cout]), tf.reshape(dLdY, [B * Ho * Wo, cout])] as tf.Tensor2D[];
  });
  try {
    return denseCountingMatrix(patches2d, w2d, dy2d, operands, outputScale);
  } finally {
    tf.dispose([patches2d, w2d, dy2d]);
  }
}

/** First-order loss change of swapping the exact multiplier for `m`: `sum G E_m`. */
export function estimateLossChange(counting: CountingMatrix, m: AppMul): number {
  if (counting.a.bits !== m.a.bits || counting.a.signed !== m.a.signed || counting.w.bits !== m.w.bits || counting.w.signed !== m.w.signed) {
    throw new LowbitConfigError('m', m.name, `expected a multiplier for a${counting.a.bits}${counting.a.signed ? 's' : 'u'} x w${counting.w.bits}${counting.w.signed ? 's' : 'u'} operands (the counting matrix's)`);
  }
  const e = m.errorTable();
  let s = 0;
  for (let i = 0; i < e.length; i++) if (e[i] !== 0) s += counting.g[i] * e[i];
  return s;
}
