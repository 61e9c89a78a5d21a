/**
 * A seeded, counter-based random generator for stochastic rounding (`uniform`, `wage`) and the
 * WAGE update rule, and the `stochasticRound` op.
 *
 * Draw `i` of a stream is a pure function of `(seed, i)`: a 32-bit integer hash (two rounds of
 * Wellons' `lowbias32` mixer, keyed by the seed and the high word of the counter) of the counter.
 * So results are the same across runs, machines and tfjs backends (the numbers are made in JS,
 * never by a backend's own RNG), and the whole state is two integers (`seed`, `counter`) that a
 * quantizer can save and restore exactly. Uniform floats carry 24 random bits: exact in float32
 * and always in [0, 1).
 *
 * Why hand-written: tfjs's own seeded ops (`tf.randomUniform(..., seed)`) re-seed per call and
 * differ between backends, and general PRNG libraries (pure-rand, seedrandom) are sequential:
 * their state is opaque and not addressable by position. This is 20 lines and not meant for
 * cryptography.
 *
 * ```ts
 * const rng = new SeededRng(42);
 * rng.uniform(3);                              // Float32Array of 3 draws in [0, 1)
 * const y = stochasticRound(tf.tensor([0.25, 1.5]), rng); // floor(x + u): 0 or 1, 1 or 2
 * rng.state;                                   // { seed: 42, counter: 5 }
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from './errors.js';
import { straightThrough } from './ops/ste.js';
import { checkInteger, checkShape } from './validate.js';

/** Wellons' lowbias32 integer hash: a bijection on 32-bit integers with good avalanche. */
export function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export interface RngState {
  /** 32-bit unsigned seed. */
  seed: number;
  /** Number of draws made so far (position in the stream), up to 2^53. */
  counter: number;
}

export class SeededRng {
  readonly seed: number;
  private position: number;
  private readonly key: number;

  constructor(seed = 0, counter = 0) {
    this.seed = checkInteger('seed', seed, 0, 0xffffffff);
    this.position = checkInteger('counter', counter, 0, Number.MAX_SAFE_INTEGER);
    this.key = mix32(this.seed ^ 0x9e3779b9);
  }

  /** The state to save; `new SeededRng(s.seed, s.counter)` continues the same stream. */
  get state(): RngState {
    return { seed: this.seed, counter: this.position };
  }

  /** The 32-bit draw at stream position `i` (does not advance). */
  bitsAt(i: number): number {
    const hi = Math.floor(i / 0x100000000);
    return mix32(mix32((i >>> 0) ^ this.key) ^ mix32(hi + this.key));
  }

  /** Next `n` uniform draws in [0, 1), 24 random bits each; advances the counter by `n`. */
  uniform(n: number): Float32Array {
    checkInteger('n', n, 0, 2 ** 31 - 1);
    if (this.position + n > Number.MAX_SAFE_INTEGER)
      throw new LowbitConfigError('counter', this.position, 'stream exhausted (2^53 draws)');
    const out = new Float32Array(n);
    const start = this.position;
    for (let i = 0; i < n; i++) out[i] = (this.bitsAt(start + i) >>> 8) / 16777216;
    this.position += n;
    return out;
  }

  /** A float32 tensor of uniform draws in [0, 1). */
  uniformTensor(shape: number[]): tf.Tensor {
    const size = checkShape('shape', shape).reduce((a, b) => a * b, 1);
    return tf.tensor(this.uniform(size), shape, 'float32');
  }
}

/**
 * Stochastic rounding: forward `floor(x + u)` with `u ~ U[0, 1)` from `rng` (so `x` rounds up
 * with probability `x - floor(x)`, unbiased: `E[y] = x`); backward straight-through (`dy`).
 * Consumes `x.size` draws of `rng`. `x` must be a float32 tensor; NaN elements stay NaN.
 */
export function stochasticRound(x: tf.Tensor, rng: SeededRng): tf.Tensor {
  if (!(rng instanceof SeededRng)) throw new LowbitConfigError('rng', rng, 'expected a SeededRng');
  if (!(x instanceof tf.Tensor) || x.dtype !== 'float32')
    throw new LowbitConfigError('x', x, 'expected a float32 tf.Tensor');
  return straightThrough(x, (t) => tf.tidy(() => tf.floor(tf.add(t, rng.uniformTensor(t.shape)))));
}

/**
 * A seeded permutation of `0..n-1` (Fisher-Yates on `rng.uniform`): the same order for the same
 * seed on every backend, for shuffling training data reproducibly.
 *
 * ```ts
 * const order = shuffledIndices(60000, new SeededRng(1));
 * const xb = tf.gather(x, tf.tensor1d(order.subarray(0, 128), 'int32'));
 * ```
 */
export function shuffledIndices(n: number, rng: SeededRng): Int32Array {
  checkInteger('n', n, 0, 2 ** 31 - 1);
  if (!(rng instanceof SeededRng)) throw new LowbitConfigError('rng', rng, 'expected a SeededRng');
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const u = rng.uniform(Math.max(0, n - 1));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[n - 1 - i] * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}
