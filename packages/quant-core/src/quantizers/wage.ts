/**
 * `LowbitWageQuantizer` (alias `'wage'`): WAGE's weight and activation quantizer,
 * `Q(C(x, k), k) / alpha` with `sigma = 2^(1-k)`, i.e. the grid `sigma * q / alpha`,
 * `q` in `[-(2^(k-1) - 1), 2^(k-1) - 1]` (see `ops/wage.ts` for the math).
 *
 * - `mode: 'weight'` (default): backward straight through clip and round (`dy / alpha`, no mask).
 * - `mode: 'activation'`: backward `dy / alpha` inside `[-1 + sigma, 1 - sigma]`, 0 outside.
 * - `alpha`: WAGE's constant layer scale: a power of two >= 1 (default 1), or `'auto'` (weights
 *   only): derived in `build(kernelShape)` as `wageAlpha(bits, fanIn)`, `fanIn` the product of all
 *   kernel dimensions but the last (dense `[in, out]`, conv2d `[kh, kw, cin, cout]`). The saved
 *   config keeps `'auto'`, so a reloaded layer derives it again.
 * - `stochastic: true`: while training, round `x / sigma` stochastically (floor(v + u), seeded);
 *   inference rounds to nearest (half to even).
 * Integer export: codes q, scale `sigma / alpha` (exact: both are powers of two).
 * `accumulatorBits(input)`: the accumulator width a layer with this kernel needs (after build).
 *
 * ```ts
 * const w = new LowbitWageQuantizer({ bits: 2 });                       // ternary {-0.5, 0, 0.5}
 * const a = new LowbitWageQuantizer({ bits: 8, mode: 'activation' });
 * const k = new LowbitWageQuantizer({ bits: 2, alpha: 'auto' });
 * k.build([512, 10]);
 * k.alpha;                                                               // 8
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffine, quantizeAffine } from '../ops/fake-quant-affine.js';
import { straightThrough } from '../ops/ste.js';
import { wageAlpha, wageSigma } from '../ops/wage.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { SeededRng } from '../random.js';
import { registerQuantizer } from '../registry.js';
import { checkBoolean, checkInteger, checkOneOf, checkPositive } from '../validate.js';
import { checkBits, checkCallOptions, checkConfig, checkFloatTensor, maskedSte } from './common.js';
import type { QuantizerMode } from './wrpn.js';

export interface WageQuantizerConfig {
  /** k, 2..24 (default 8; WAGE's 2-8-8-8 uses 2 for weights, 8 for activations). */
  bits?: number;
  mode?: QuantizerMode;
  /** Constant scale divisor: a power of two >= 1 (default 1), or 'auto' (weights: from the fan-in in build). */
  alpha?: number | 'auto';
  /** Stochastic rounding while training (default false). */
  stochastic?: boolean;
  /** Seed of the rounding stream (default 0). */
  seed?: number;
}

export class LowbitWageQuantizer extends Quantizer {
  static className = 'LowbitWageQuantizer';
  readonly bits: number;
  readonly mode: QuantizerMode;
  /** True when alpha is derived from the kernel shape in `build` (`alpha: 'auto'`). */
  readonly autoAlpha: boolean;
  readonly stochastic: boolean;
  readonly seed: number;
  private readonly rng: SeededRng;
  /** The resolved alpha; null while an 'auto' alpha waits for build. */
  private alphaValue: number | null;
  /** Inputs per output unit, known after `build` with a kernel shape. */
  private fanInValue: number | null = null;

  constructor(config: WageQuantizerConfig = {}) {
    super();
    const c = checkConfig<WageQuantizerConfig>('LowbitWageQuantizer', config, [
      'bits',
      'mode',
      'alpha',
      'stochastic',
      'seed',
    ]);
    this.bits = checkBits(c.bits ?? 8, 2);
    this.mode = checkOneOf('mode', c.mode ?? 'weight', ['weight', 'activation'] as const);
    this.autoAlpha = c.alpha === 'auto';
    if (this.autoAlpha) {
      if (this.mode !== 'weight')
        throw new LowbitConfigError('alpha', 'auto', "'auto' derives alpha from a kernel's fan-in: mode 'weight' only");
      this.alphaValue = null;
    } else {
      const alpha = checkPositive('alpha', c.alpha ?? 1);
      if (alpha < 1 || !Number.isInteger(Math.log2(alpha)))
        throw new LowbitConfigError('alpha', alpha, "expected a power of two >= 1 or 'auto'");
      this.alphaValue = alpha;
    }
    this.stochastic = checkBoolean('stochastic', c.stochastic ?? false);
    this.seed = checkInteger('seed', c.seed ?? 0, 0, 0xffffffff);
    this.rng = new SeededRng(this.seed);
  }

  /**
   * Records the fan-in of a kernel shape (all dimensions but the last) and, for `alpha: 'auto'`,
   * derives `alpha = wageAlpha(bits, fanIn)`. Shapes of rank < 2 or with unknown sizes have no
   * fan-in (an 'auto' alpha then throws).
   */
  override build(shape: number[]): void {
    const known = Array.isArray(shape) && shape.length >= 2 && shape.every((d) => Number.isInteger(d) && d > 0);
    this.fanInValue = known ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : null;
    if (!this.autoAlpha) return;
    if (this.fanInValue === null) {
      throw new LowbitConfigError(
        'kernelShape',
        shape,
        "alpha 'auto' needs a kernel shape of rank >= 2 with known sizes",
      );
    }
    this.alphaValue = wageAlpha(this.bits, this.fanInValue);
  }

  /** The constant scale divisor (a power of two >= 1); an 'auto' alpha is known after `build`. */
  get alpha(): number {
    if (this.alphaValue === null) {
      throw new LowbitConfigError(
        'alpha',
        'auto',
        'derived from the kernel shape in build(): build the layer (call it on an input) first',
      );
    }
    return this.alphaValue;
  }

  /** Inputs per output unit of the kernel given to `build`, or null before. */
  get fanIn(): number | null {
    return this.fanInValue;
  }

  /**
   * Bits of an accumulator that holds any sum of `fanIn` products of this quantizer's codes
   * (`|q| <= 2^(k-1) - 1`) and input codes of precision `input`, sign included:
   * `ceil(log2(fanIn * maxInput * maxWeight + 1)) + 1`. Signed integer inputs are taken as
   * symmetric codes (`|a| <= 2^(b-1) - 1`, as WAGE's Q_A makes them); unsigned ones as
   * `0..2^b - 1`; binary, ternary and {0, 1} as 1. Undefined before `build` or for float and
   * pow2 inputs (hw-model then derives the width).
   */
  override accumulatorBits(input: OperandPrecision): number | undefined {
    if (this.fanInValue === null || input === null || typeof input !== 'object') return undefined;
    let maxInput: number;
    if (input.kind === 'int') maxInput = input.signed ? 2 ** (input.bits - 1) - 1 : 2 ** input.bits - 1;
    else if (input.kind === 'binary' || input.kind === 'ternary' || input.kind === 'zero-one') maxInput = 1;
    else return undefined;
    const maxSum = this.fanInValue * maxInput * (2 ** (this.bits - 1) - 1);
    return Math.ceil(Math.log2(maxSum + 1)) + 1;
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

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    const alpha = this.alpha;
    const stochastic = this.stochastic && checkCallOptions(options);
    const bound = 1 - wageSigma(this.bits);
    const q =
      this.mode === 'weight'
        ? straightThrough(x, (t) => this.forward(t, stochastic))
        : maskedSte(x, (t) => this.forward(t, stochastic), -bound, bound);
    if (alpha === 1) return q;
    const out = tf.div(q, alpha);
    q.dispose();
    return out;
  }

  precision(): OperandPrecision {
    return { kind: this.bits === 2 ? 'ternary' : 'int', bits: this.bits, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const alpha = this.alpha;
    const qt = quantizeAffine(x, this.grid, { bits: this.bits, signed: true });
    if (alpha === 1) return qt;
    return new QuantizedTensor({
      codes: qt.codes,
      shape: qt.shape,
      bits: qt.bits,
      signed: true,
      scale: [this.grid.scale / alpha],
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    const alpha = this.autoAlpha ? 'auto' : this.alpha;
    return { bits: this.bits, mode: this.mode, alpha, stochastic: this.stochastic, seed: this.seed };
  }
}

registerQuantizer(LowbitWageQuantizer, ['wage']);
