/**
 * `LowbitUniformQuantizer` (alias `'uniform'`): linear (uniform-grid) fake quantization with a
 * range that is fixed, measured per batch, tracked by EMA, or learned (LSQ).
 *
 * Grid (codes q in [qmin, qmax], value `(q - zp) * scale`):
 * - symmetric, signed:   q in [-(2^(b-1) - 1), 2^(b-1) - 1] (narrow: zero in the middle), zp = 0,
 *                        `scale = max(|lo|, |hi|) / (2^(b-1) - 1)`; needs b >= 2.
 * - symmetric, unsigned: q in [0, 2^b - 1], zp = 0, `scale = hi / (2^b - 1)` (negatives clip to 0).
 * - affine:              q in [-2^(b-1), 2^(b-1) - 1] (signed) or [0, 2^b - 1]; the range is widened
 *                        to contain 0, `scale = (hi - lo) / (qmax - qmin)`,
 *                        `zp = clip(round(qmin - lo / scale), qmin, qmax)` (0 is exact).
 * - `lsq`:               q in [-2^(b-1), 2^(b-1) - 1] (signed) or [0, 2^b - 1], zp = 0, as in LSQ.
 * A zero-width range uses scale 1 (the tensor is all zeros).
 *
 * Range (`range`):
 * - `[lo, hi]`: fixed.
 * - `'minmax'` (default): min / max of the current tensor (per channel with `perChannel`).
 * - `'ema'`: running min / max, `r <- momentum r + (1 - momentum) r_batch`, updated only when
 *   `training`; state created in `build()` through the host's `addWeight` (non-trainable), so it
 *   is saved with the model. Until the first update the batch range is used.
 * - `'lsq'`: a trainable step `s` (Esser et al., ICLR 2020), initialised on first use to
 *   `2 mean|x| / sqrt(Qp)`. Forward `round(clip(x / s, -Qn, Qp)) * s`.
 *
 * Backward: straight-through, `dy` inside the representable range, 0 outside. For `lsq` the step
 * gets the LSQ gradient `g * sum(dy * ds)` with `ds = round(x/s) - x/s` inside, `-Qn` / `Qp` below /
 * above, and the gradient scale `g = 1 / sqrt(N * Qp)` (N = elements per step).
 *
 * `stochastic: true` rounds `floor(x / s + u)` with u from a {@link SeededRng} (`seed`) when
 * training; inference always rounds to nearest (half to even).
 *
 * ```ts
 * const q = new LowbitUniformQuantizer({ bits: 8, symmetric: false, range: 'ema' });
 * layer-side: q.build(inputShape, this, 'input');   // creates the EMA state on the layer
 * const y = q.call(x, { training: true });
 * const lsq = new LowbitUniformQuantizer({ bits: 4, range: 'lsq', perChannel: true, axis: -1 });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffine, type FakeQuantAffineParams, quantizeAffine } from '../ops/fake-quant-affine.js';
import type { OperandPrecision } from '../precision.js';
import type { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions, type QuantizerHost, type QuantizerVariable } from '../quantizer.js';
import { SeededRng } from '../random.js';
import { registerQuantizer } from '../registry.js';
import { checkBoolean, checkFinite, checkInteger, checkOneOf, checkRange } from '../validate.js';
import { checkBits, checkCallOptions, checkConfig, checkFloatTensor } from './common.js';
import { maskInRange } from '../ops/mask-in-range.js';
import { unaryCustomGrad } from '../ops/ste.js';

export type UniformRangeMode = 'minmax' | 'ema' | 'lsq';

export interface UniformQuantizerConfig {
  /** Bits per code, 1..24 (default 8; signed symmetric needs >= 2). */
  bits?: number;
  /** Signed codes (default true). */
  signed?: boolean;
  /** Zero point 0 (default true) or affine with a zero point. */
  symmetric?: boolean;
  /** One range per channel along `axis` (default false). */
  perChannel?: boolean;
  /** Channel axis (default -1, the last). */
  axis?: number;
  /** `[lo, hi]`, `'minmax'` (default), `'ema'` or `'lsq'`. */
  range?: [number, number] | UniformRangeMode;
  /** EMA momentum in [0, 1) (default 0.99). */
  momentum?: number;
  /** Stochastic rounding while training (default false). */
  stochastic?: boolean;
  /** Seed of the stochastic-rounding stream (default 0). */
  seed?: number;
}

const KEYS = ['bits', 'signed', 'symmetric', 'perChannel', 'axis', 'range', 'momentum', 'stochastic', 'seed'];

/** A plain tfjs variable standing in for a host layer's weight when the quantizer runs alone. */
class OwnVariable implements QuantizerVariable {
  readonly variable: tf.Variable;
  constructor(
    readonly name: string,
    shape: number[],
    trainable: boolean,
  ) {
    this.variable = tf.variable(tf.zeros(shape), trainable, `${name}_${Math.random().toString(36).slice(2)}`);
  }
  read(): tf.Tensor {
    return this.variable;
  }
  write(value: tf.Tensor): void {
    this.variable.assign(value);
  }
}

const zerosInitializer = {
  apply: (shape: number[]) => tf.zeros(shape),
  getClassName: () => 'Zeros',
  getConfig: () => ({}),
};

export class LowbitUniformQuantizer extends Quantizer {
  static className = 'LowbitUniformQuantizer';
  readonly bits: number;
  readonly signed: boolean;
  readonly symmetric: boolean;
  readonly perChannel: boolean;
  readonly axis: number;
  readonly range: [number, number] | UniformRangeMode;
  readonly momentum: number;
  readonly stochastic: boolean;
  readonly seed: number;
  private rng: SeededRng;
  private state: {
    min?: QuantizerVariable;
    max?: QuantizerVariable;
    step?: QuantizerVariable;
    channels: number;
  } | null = null;

  constructor(config: UniformQuantizerConfig = {}) {
    super();
    const c = checkConfig<UniformQuantizerConfig>('LowbitUniformQuantizer', config, KEYS);
    this.signed = checkBoolean('signed', c.signed ?? true);
    this.symmetric = checkBoolean('symmetric', c.symmetric ?? true);
    this.bits = checkBits(c.bits ?? 8, this.signed && this.symmetric && c.range !== 'lsq' ? 2 : 1);
    this.perChannel = checkBoolean('perChannel', c.perChannel ?? false);
    this.axis = checkInteger('axis', c.axis ?? -1, -8, 7);
    const range = c.range ?? 'minmax';
    this.range =
      typeof range === 'string'
        ? checkOneOf('range', range, ['minmax', 'ema', 'lsq'] as const)
        : checkRange('range', range);
    this.momentum = checkFinite('momentum', c.momentum ?? 0.99, { min: 0, max: 1, exclusiveMax: true });
    this.stochastic = checkBoolean('stochastic', c.stochastic ?? false);
    this.seed = checkInteger('seed', c.seed ?? 0, 0, 0xffffffff);
    this.rng = new SeededRng(this.seed);
  }

  /** Code range of the grid. */
  codeRange(): [number, number] {
    const b = this.bits;
    if (!this.signed) return [0, 2 ** b - 1];
    if (this.symmetric && this.range !== 'lsq') return [-(2 ** (b - 1) - 1), 2 ** (b - 1) - 1];
    return [-(2 ** (b - 1)), 2 ** (b - 1) - 1];
  }

  private resolveAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 0 || a >= rank) throw new LowbitConfigError('axis', this.axis, `out of range for a rank-${rank} tensor`);
    return a;
  }

  override build(shape: number[], host?: QuantizerHost, prefix = 'quantizer'): void {
    const channels = this.perChannel ? shape[this.resolveAxis(shape.length)] : 1;
    if (!Number.isInteger(channels) || channels < 1)
      throw new LowbitConfigError('shape', shape, `expected a known channel count along axis ${this.axis}`);
    const make = (name: string, trainable: boolean): QuantizerVariable =>
      host
        ? host.addWeight(`${prefix}_${name}`, [channels], 'float32', zerosInitializer, undefined, trainable)
        : new OwnVariable(`${prefix}_${name}`, [channels], trainable);
    if (this.range === 'ema') this.state = { min: make('ema_min', false), max: make('ema_max', false), channels };
    else if (this.range === 'lsq') this.state = { step: make('step', true), channels };
    else this.state = { channels };
  }

  /** Per-channel (or single) min and max of `x`. */
  private batchRange(x: tf.Tensor): { lo: number[]; hi: number[] } {
    return tf.tidy(() => {
      if (!this.perChannel) return { lo: [tf.min(x).dataSync()[0]], hi: [tf.max(x).dataSync()[0]] };
      const a = this.resolveAxis(x.rank);
      const axes = [...Array(x.rank).keys()].filter((d) => d !== a);
      return { lo: Array.from(tf.min(x, axes).dataSync()), hi: Array.from(tf.max(x, axes).dataSync()) };
    });
  }

  /** Scale and zero point per channel from ranges. */
  private gridFor(lo: number[], hi: number[]): FakeQuantAffineParams {
    const [qmin, qmax] = this.codeRange();
    const scale: number[] = [];
    const zeroPoint: number[] = [];
    for (let c = 0; c < lo.length; c++) {
      let s: number;
      let z = 0;
      if (this.symmetric) {
        s = (this.signed ? Math.max(Math.abs(lo[c]), Math.abs(hi[c])) : Math.max(hi[c], 0)) / qmax;
      } else {
        const l = Math.min(lo[c], 0);
        const h = Math.max(hi[c], 0);
        s = (h - l) / (qmax - qmin);
        if (s > 0 && Number.isFinite(s)) z = Math.min(qmax, Math.max(qmin, Math.round(qmin - l / s)));
      }
      if (!Number.isFinite(s)) throw new LowbitConfigError('x', [lo[c], hi[c]], 'expected finite values to quantize');
      if (!(Math.fround(s) > 0)) {
        s = 1;
        z = this.symmetric ? 0 : z;
      }
      scale.push(s);
      zeroPoint.push(z);
    }
    const params: FakeQuantAffineParams = { scale, zeroPoint, qmin, qmax };
    if (this.perChannel) params.axis = this.axis;
    else {
      params.scale = scale[0];
      params.zeroPoint = zeroPoint[0];
    }
    return params;
  }

  private ensureBuilt(x: tf.Tensor): void {
    if (this.state === null) this.build(x.shape);
  }

  /** The affine parameters `call` would use in inference for `x` (no state update). */
  private inferenceGrid(x: tf.Tensor): FakeQuantAffineParams {
    if (Array.isArray(this.range)) {
      const n = this.perChannel ? x.shape[this.resolveAxis(x.rank)] : 1;
      return this.gridFor(new Array(n).fill(this.range[0]), new Array(n).fill(this.range[1]));
    }
    if (this.range === 'ema') {
      const lo = Array.from(this.state!.min!.read().dataSync());
      const hi = Array.from(this.state!.max!.read().dataSync());
      if (lo.every((v) => v === 0) && hi.every((v) => v === 0))
        return this.gridFor(...(Object.values(this.batchRange(x)) as [number[], number[]]));
      return this.gridFor(lo, hi);
    }
    return this.gridFor(...(Object.values(this.batchRange(x)) as [number[], number[]]));
  }

  private updateEma(x: tf.Tensor): void {
    const { lo, hi } = this.batchRange(x);
    const st = this.state!;
    const oldLo = Array.from(st.min!.read().dataSync());
    const oldHi = Array.from(st.max!.read().dataSync());
    const fresh = oldLo.every((v) => v === 0) && oldHi.every((v) => v === 0);
    const m = this.momentum;
    const mix = (old: number[], cur: number[]) => cur.map((v, i) => (fresh ? v : m * old[i] + (1 - m) * v));
    tf.tidy(() => {
      st.min!.write(tf.tensor1d(mix(oldLo, lo)));
      st.max!.write(tf.tensor1d(mix(oldHi, hi)));
    });
  }

  /** Initialises the LSQ step from `x` when it is still 0: `2 mean|x| / sqrt(Qp)` per channel. */
  private lsqStep(x: tf.Tensor): tf.Tensor {
    const st = this.state!;
    const step = st.step!.read();
    if (tf.tidy(() => tf.min(step).dataSync()[0]) <= 0) {
      const [, qp] = this.codeRange();
      tf.tidy(() => {
        let meanAbs: tf.Tensor;
        if (this.perChannel) {
          const a = this.resolveAxis(x.rank);
          meanAbs = tf.mean(
            tf.abs(x),
            [...Array(x.rank).keys()].filter((d) => d !== a),
          );
        } else meanAbs = tf.reshape(tf.mean(tf.abs(x)), [1]);
        st.step!.write(tf.maximum(tf.div(tf.mul(meanAbs, 2), Math.sqrt(qp)), 1e-8));
      });
    }
    return st.step!.read();
  }

  private broadcastShape(rank: number): number[] {
    const shape = new Array<number>(rank).fill(1);
    if (this.perChannel) shape[this.resolveAxis(rank)] = this.state!.channels;
    return shape;
  }

  /** LSQ forward and gradients (x and step), with round or stochastic rounding. */
  private lsqCall(x: tf.Tensor, stochastic: boolean): tf.Tensor {
    const step = this.lsqStep(x);
    const [qmin, qmax] = this.codeRange();
    const perStep = x.size / this.state!.channels;
    const gScale = 1 / Math.sqrt(perStep * qmax);
    const shape = this.broadcastShape(x.rank);
    const rng = this.rng;
    const a = this.perChannel ? this.resolveAxis(x.rank) : -1;
    const f = tf.customGrad(((input: tf.Tensor, s: tf.Tensor, save: tf.GradSaveFunc) => {
      const sb = tf.reshape(s, shape);
      const v = tf.div(input, sb);
      const r = stochastic ? tf.floor(tf.add(v, rng.uniformTensor(v.shape))) : tf.round(v);
      // + 0 turns round(-0.3) = -0 into +0, as the zero point does in fakeQuantAffine.
      const q = tf.clipByValue(tf.add(r, 0), qmin, qmax);
      save([v, q]);
      return {
        value: tf.mul(q, sb),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [vs, qs] = saved;
          const below = tf.less(vs, qmin);
          const above = tf.greater(vs, qmax);
          const inside = tf.logicalNot(tf.logicalOr(below, above));
          const dx = tf.where(inside, dy, tf.zerosLike(dy));
          const dsElem = tf.where(
            below,
            tf.fill(vs.shape, qmin),
            tf.where(above, tf.fill(vs.shape, qmax), tf.sub(qs, vs)),
          );
          const prod = tf.mul(dy, dsElem);
          const axes = [...Array(vs.rank).keys()].filter((d) => d !== a);
          const ds = tf.mul(tf.reshape(a < 0 ? tf.sum(prod) : tf.sum(prod, axes), s.shape), gScale);
          return [dx, ds];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return (f as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, step);
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    this.ensureBuilt(x);
    const training = checkCallOptions(options);
    const stochastic = this.stochastic && training;
    if (this.range === 'lsq') return this.lsqCall(x, stochastic);
    if (this.range === 'ema' && training) this.updateEma(x);
    const grid = this.inferenceGrid(x);
    if (!stochastic) return fakeQuantAffine(x, grid);
    // Stochastic rounding: composed, floor(x / s + u), same masked gradient as fakeQuantAffine.
    const rng = this.rng;
    const rank = x.rank;
    return unaryCustomGrad((input, save) => {
      save([input]);
      const value = tf.tidy(() => {
        const s = this.paramTensor(grid.scale!, rank);
        const z = this.paramTensor(grid.zeroPoint!, rank);
        const q = tf.clipByValue(
          tf.add(tf.floor(tf.add(tf.div(input, s), rng.uniformTensor(input.shape))), z),
          grid.qmin,
          grid.qmax,
        );
        return tf.mul(tf.sub(q, z), s);
      });
      return {
        value,
        gradFunc: (dy, saved) =>
          tf.tidy(() => maskInRange(dy, saved[0], this.boundsOf(grid, rank, 'lo'), this.boundsOf(grid, rank, 'hi'))),
      };
    })(x);
  }

  private paramTensor(v: number | readonly number[], rank: number): tf.Tensor {
    const arr = typeof v === 'number' ? [v] : [...v];
    return arr.length === 1 ? tf.scalar(arr[0]) : tf.tensor(arr, this.broadcastShape(rank));
  }

  private boundsOf(grid: FakeQuantAffineParams, rank: number, which: 'lo' | 'hi'): tf.Tensor {
    return tf.tidy(() =>
      tf.mul(
        tf.sub(which === 'lo' ? grid.qmin : grid.qmax, this.paramTensor(grid.zeroPoint!, rank)),
        this.paramTensor(grid.scale!, rank),
      ),
    );
  }

  precision(): OperandPrecision {
    return { kind: 'int', bits: this.bits, signed: this.signed };
  }

  /** Codes for `x` with the ranges inference would use (EMA state / learned step as stored). */
  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    this.ensureBuilt(x);
    const [qmin, qmax] = this.codeRange();
    let grid: FakeQuantAffineParams;
    if (this.range === 'lsq') {
      const step = Array.from(this.lsqStep(x).dataSync());
      grid = this.perChannel ? { scale: step, qmin, qmax, axis: this.axis } : { scale: step[0], qmin, qmax };
    } else grid = this.inferenceGrid(x);
    return quantizeAffine(x, grid, { bits: this.bits, signed: this.signed });
  }

  /** Frees variables created without a host layer. */
  dispose(): void {
    for (const v of [this.state?.min, this.state?.max, this.state?.step])
      if (v instanceof OwnVariable) v.variable.dispose();
    this.state = null;
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      bits: this.bits,
      signed: this.signed,
      symmetric: this.symmetric,
      perChannel: this.perChannel,
      axis: this.axis,
      range: Array.isArray(this.range) ? [...this.range] : this.range,
      momentum: this.momentum,
      stochastic: this.stochastic,
      seed: this.seed,
    };
  }
}

registerQuantizer(LowbitUniformQuantizer, ['uniform']);
