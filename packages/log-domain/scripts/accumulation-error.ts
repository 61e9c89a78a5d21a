/**
 * Error of log-domain accumulation (`logDomainMatMul`) against exact shift accumulation
 * (`shiftMatMul`) for log x log dot products of length K, per table resolution (fracBits).
 * Data: activations |N(0,1)| with half of them 0 (ReLU-like) as 4-bit unsigned base-2 log codes,
 * weights N(0, 1/K) as 4-bit signed log codes; FSR = round(log2 max|v|) per tensor; M=64, N=16.
 *
 *   npm run accumulation-error -w packages/log-domain
 */
import * as tf from '@tensorflow/tfjs-core';
tf.enableProdMode();
import '@tensorflow/tfjs-backend-cpu';
import { logAddTable, logDomainMatMul, shiftMatMul } from '../src/index.js';

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Base-2 log codes with `levels` magnitudes below FSR = round(log2 max|v|); underflow to 0. */
function logCodes(values: Float64Array, levels: number): { codes: Int32Array; minExp: number } {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const fsr = Math.round(Math.log2(max));
  const minExp = fsr - levels + 1;
  const codes = Int32Array.from(values, (v) => {
    if (v === 0) return 0;
    const e = Math.min(fsr, Math.round(Math.log2(Math.abs(v))));
    return e < minExp ? 0 : Math.sign(v) * (e - minExp + 1);
  });
  return { codes, minExp };
}

await tf.setBackend('cpu');
const [M, N] = [64, 16];
const rows: { K: number; fracBits: number; tableEntries: number; relRmsError: number; relRmsErrorPositive: number }[] =
  [];
for (const K of [16, 64, 256, 1024]) {
  const rnd = rng(K);
  const x = Float64Array.from({ length: M * K }, () => (rnd() < 0.5 ? 0 : Math.abs(gaussian(rnd))));
  const w = Float64Array.from({ length: K * N }, () => gaussian(rnd) / Math.sqrt(K));
  const xq = logCodes(x, 15);
  const wq = logCodes(w, 7);
  const a = tf.tensor2d(xq.codes, [M, K], 'int32');
  const b = tf.tensor2d(wq.codes, [K, N], 'int32');
  const scale = 2 ** (xq.minExp + wq.minExp);
  const exact = shiftMatMul(a, b, { aKind: 'pow2', bKind: 'pow2', scale });
  // The same magnitudes with every weight positive: no cancellation, only the log-add rounding.
  const bPos = tf.abs(b);
  const exactPos = shiftMatMul(a, bPos, { aKind: 'pow2', bKind: 'pow2', scale });
  const relErr = (t: tf.Tensor, ref: tf.Tensor) =>
    tf.tidy(() => tf.div(tf.norm(tf.sub(t, ref)), tf.norm(ref)).dataSync()[0]);
  for (const fracBits of [0, 1, 2, 3, 4, 5, 6]) {
    const approx = logDomainMatMul(a, b, { aKind: 'pow2', bKind: 'pow2', scale, fracBits });
    const approxPos = logDomainMatMul(a, bPos, { aKind: 'pow2', bKind: 'pow2', scale, fracBits });
    rows.push({
      K,
      fracBits,
      tableEntries: logAddTable(fracBits).length,
      relRmsError: relErr(approx, exact),
      relRmsErrorPositive: relErr(approxPos, exactPos),
    });
    tf.dispose([approx, approxPos]);
  }
  tf.dispose([a, b, exact, bPos, exactPos]);
}

console.log('| K | fracBits | table entries | rel. RMS error, signed weights | rel. RMS error, positive weights |');
console.log('|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.K} | ${r.fracBits} | ${r.tableEntries} | ${(100 * r.relRmsError).toFixed(2)}% | ${(
      100 * r.relRmsErrorPositive
    ).toFixed(2)}% |`,
  );
}
