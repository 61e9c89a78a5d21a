/**
 * `LowbitWageQuantizer` (alias `'wage'`): WAGE's weight and activation quantizer,
 * `Q(C(x, k), k) / alpha` with `sigma = 2^(1-k)`, i.e. the grid `sigma * q / alpha`,
 * `q` in `[-(2^(k-1) - 1), 2^(k-1) - 1]` (see `ops/wage.ts` for the math).
 *
 * - `mode: 'weight'` (default): backward straight through clip and round (`dy / alpha`, no mask).
 * - `mode: 'activation'`: backward `dy / alpha` inside `[-1 + sigma, 1 - sigma]`, 0 outside.
 * - `alpha`: WAGE's constant layer scale (a power of two >= 1, default 1; see `wageAlpha`).
 * - `stochastic: true`: while training, round `x / sigma` stochastically (floor(v + u), seeded);
 *   inference rounds to nearest (half to even).
 * Integer export: codes q, scale `sigma / alpha` (exact: both are powers of two).
 *
 * ```ts
 * const w = new LowbitWageQuantizer({ bits: 2 });                       // ternary {-0.5, 0, 0.5}
 * const a = new LowbitWageQuantizer({ bits: 8, mode: 'activation' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffine, quantizeAffine } from '../ops/fake-quant-affine.js';
import { straightThrough } from '../ops/ste.js';
import { wageSigma } from '../ops/wage.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { SeededRng } from '../random.js';
import { registerQuantizer } from '../registry.js';
import { checkBoolean, checkInteger, checkOneOf, checkPositive } from '../validate.js';
import { checkBits, checkConfig, checkFloatTensor, maskedSte } from './common.js';
import type { QuantizerMode } from './wrpn.js';

export interface WageQuantizerConfig {
  /** k, 2..24 (default 8; WAGE's 2-8-8-8 uses 2 for weights, 8 for activations). */
  bits?: number;
  mode?: QuantizerMode;
  /** Constant scale divisor, a power of two >= 1 (default 1). */
  alpha?: number;
  /** Stochastic rounding while training (default false). */
  stochastic?: boolean;
  /** Seed of the rounding stream (default 0). */
  seed?: number;
}

export class LowbitWageQuantizer extends Quantizer {
  static className = 'LowbitWageQuantizer';
  readonly bits: number;
  readonly mode: QuantizerMode;
  readonly alpha: number;
  readonly stochastic: boolean;
  readonly seed: number;
  private readonly rng: SeededRng;

  constructor(config: WageQuantizerConfig = {}) {
    super();
    const c = checkConfig<WageQuantizerConfig>('LowbitWageQuantizer', config, ['bits', 'mode', 'alpha', 'stochastic', 'seed']);
    this.bits = checkBits(c.bits ?? 8, 2);
    this.mode = checkOneOf('mode', c.mode ?? 'weight', ['weight', 'activation'] as const);
    this.alpha = checkPositive('alpha', c.alpha ?? 1);
    if (this.alpha < 1 || !Number.isInteger(Math.log2(this.alpha))) throw new LowbitConfigError('alpha', this.alpha, 'expected a power of two >= 1');
    this.stochastic = checkBoolean('stochastic', c.stochastic ?? false);
    this.seed = checkInteger('seed', c.seed ?? 0, 0, 0xffffffff);
    this.rng = new SeededRng(this.seed);
  }

  private get grid(): { scale: number; qmin: number; qmax: number } {
    const n = 2 ** (this.bits - 1) - 1;
    return { scale: wageSigma(this.bits), qmin: -n, qmax: n };
  }

  private forward(t: tf.Tensor, stochastic: boolean): tf.Tensor {
    const { scale, qmin, qmax } = this.grid;
    if (!stochastic) return fakeQuantAffine(t, this.grid);
    return tf.tidy(() => {
      const v = tf.div(tf.clipByValue(t, qmin * scale, qmax * scale), scale);
      return tf.mul(tf.floor(tf.add(v, this.rng.uniformTensor(v.shape))), scale);
    });
  }

  call(x: tf.Tensor, options: QuantizerCallOptions = {}): tf.Tensor {
    checkFloatTensor('x', x);
    const stochastic = this.stochastic && options.training === true;
    const bound = 1 - wageSigma(this.bits);
    const q = this.mode === 'weight' ? straightThrough(x, (t) => this.forward(t, stochastic)) : maskedSte(x, (t) => this.forward(t, stochastic), -bound, bound);
    if (this.alpha === 1) return q;
    const out = tf.div(q, this.alpha);
    q.dispose();
    return out;
  }

  precision(): OperandPrecision {
    return { kind: this.bits === 2 ? 'ternary' : 'int', bits: this.bits, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const qt = quantizeAffine(x, this.grid, { bits: this.bits, signed: true });
    if (this.alpha === 1) return qt;
    return new QuantizedTensor({ codes: qt.codes, shape: qt.shape, bits: qt.bits, signed: true, scale: [this.grid.scale / this.alpha] });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, mode: this.mode, alpha: this.alpha, stochastic: this.stochastic, seed: this.seed };
  }
}

registerQuantizer(LowbitWageQuantizer, ['wage']);
