/**
 * `LowbitWageOptimizer`: the WAGE weight update as a tfjs optimizer (plain SGD with the
 * gradient quantizer Q_G; usable with `model.compile({ optimizer })` / `model.fit`, or with
 * `optimizer.minimize` in a custom loop such as {@link trainWage}).
 *
 * For each variable W with gradient g (Q_G is quant-core's `wageQuantizeGradient`):
 *   x  = g / Shift(max|g|)                       (max over the whole tensor; g = 0 leaves W)
 *   n  = eta * x                                 (eta: the learning rate, inside Q_G)
 *   dW = sigma(k_G) * sgn(n) * (floor|n| + Bernoulli(|n| - floor|n|))
 *   W <- clip(W - dW, -(1 - sigma(k_W)), 1 - sigma(k_W))
 * The Bernoulli draws come from a {@link SeededRng} (one draw per element, variables in the order
 * given), so training is reproducible for a seed; `E[dW] = sigma(k_G) * n` (unbiased). Weights that
 * start on the k_W grid stay integers times sigma(k_G) (for k_G >= k_W).
 *
 * The authors' code also rounds `n` to a 16-bit grid before the stochastic rounding ("bitsR");
 * that step changes `n` by at most 2^-16 and is left out here, as in the paper's equations.
 *
 * ```ts
 * const opt = new LowbitWageOptimizer({ learningRate: 8, gradientBits: 8, weightBits: 2, seed: 1 });
 * model.compile({ optimizer: opt, loss: sseLoss });
 * opt.learningRate = 1;   // the paper's schedule: 8, then 1, then 1/8
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types.js';
import {
  checkConfig,
  checkFinite,
  checkInteger,
  LowbitConfigError,
  LowbitDataError,
  SeededRng,
  wageQuantizeGradient,
  wageSigma,
} from '@lowbit/quant-core';
import { checkWageBits, rejectRenamed, RENAMED_WAGE_OPTIONS } from './bits.js';

export interface WageOptimizerConfig {
  /** eta, the learning rate inside Q_G: a finite number > 0 (default 8). */
  learningRate?: number;
  /** Gradient bit width k_G, 2..16 (default 8). */
  gradientBits?: number;
  /** Weight bit width k_W, 2..16: sets the weight clip range (default 2). */
  weightBits?: number;
  /** Seed of the stochastic rounding (default 0). */
  seed?: number;
}

/** Largest eta accepted: beyond it |n| alone exceeds any k_G grid (and signals a unit mistake). */
export const MAX_WAGE_LEARNING_RATE = 2 ** 16;

const COUNTER_WEIGHT = 'wage_rng_counter';

export function checkWageLearningRate(value: unknown): number {
  return checkFinite('learningRate', value, { min: 0, exclusiveMin: true, max: MAX_WAGE_LEARNING_RATE });
}

export class LowbitWageOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'LowbitWageOptimizer';
  }
  readonly gradientBits: number;
  readonly weightBits: number;
  readonly seed: number;
  private eta: number;
  private rng: SeededRng;

  constructor(config: WageOptimizerConfig = {}) {
    super();
    if (config !== null && typeof config === 'object') rejectRenamed('LowbitWageOptimizer', config);
    const c = checkConfig<WageOptimizerConfig>('LowbitWageOptimizer', config, [
      'learningRate',
      'gradientBits',
      'weightBits',
      'seed',
    ]);
    this.eta = checkWageLearningRate(c.learningRate ?? 8);
    this.gradientBits = checkWageBits('gradientBits', c.gradientBits ?? 8);
    this.weightBits = checkWageBits('weightBits', c.weightBits ?? 2);
    this.seed = checkInteger('seed', c.seed ?? 0, 0, 0xffffffff);
    this.rng = new SeededRng(this.seed);
  }

  /** eta; setting it validates the value (the schedule changes it between epochs). */
  get learningRate(): number {
    return this.eta;
  }
  set learningRate(value: number) {
    this.eta = checkWageLearningRate(value);
  }

  /** Draws consumed so far by the stochastic rounding. */
  get rngCounter(): number {
    return this.rng.state.counter;
  }

  /**
   * The quantized update `dW` of a gradient (what {@link applyGradients} subtracts), exposed for
   * tests and for custom loops. Consumes `g.size` draws.
   */
  quantizedUpdate(g: tf.Tensor): tf.Tensor {
    if (!(g instanceof tf.Tensor) || g.dtype !== 'float32')
      throw new LowbitConfigError('gradient', g, 'expected a float32 tf.Tensor');
    return wageQuantizeGradient(g, this.gradientBits, this.eta, this.rng);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const limit = 1 - wageSigma(this.weightBits);
    names.forEach((name, i) => {
      const g = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (g == null) return;
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined)
        throw new LowbitConfigError('variableGradients', name, 'no variable of that name is registered');
      tf.tidy(() => {
        const dW = this.quantizedUpdate(g);
        variable.assign(tf.clipByValue(tf.sub(variable, dW), -limit, limit));
      });
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    // The draw counter makes a resumed run continue the same random stream; split in two
    // 31-bit halves because int32 weights cannot hold 2^53.
    const counter = this.rng.state.counter;
    const halves = tf.tensor1d([counter % 2 ** 31, Math.floor(counter / 2 ** 31)], 'int32');
    return [await this.saveIterations(), { name: COUNTER_WEIGHT, tensor: halves }];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length === 0) return;
    const entry = rest.find((w) => w.name.endsWith(COUNTER_WEIGHT));
    if (rest.length !== 1 || entry === undefined || entry.tensor.size !== 2) {
      throw new LowbitDataError(
        'LowbitWageOptimizer.setWeights',
        `expected one ${COUNTER_WEIGHT} weight of 2 values, got ${rest.map((w) => w.name).join(', ')}`,
      );
    }
    const [lo, hi] = Array.from(await entry.tensor.data());
    const counter = hi * 2 ** 31 + lo;
    if (!Number.isSafeInteger(counter) || lo < 0 || hi < 0)
      throw new LowbitDataError('LowbitWageOptimizer.setWeights', `invalid draw counter [${lo}, ${hi}]`);
    this.rng = new SeededRng(this.seed, counter);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.eta, gradientBits: this.gradientBits, weightBits: this.weightBits, seed: this.seed };
  }

  /** Also reads configs saved by the previous release (`bitsG`, `bitsW`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const c: Record<string, unknown> = { ...config };
    delete c.customObjects;
    for (const [old, now] of Object.entries(RENAMED_WAGE_OPTIONS)) {
      if (old in c) {
        if (c[now] === undefined) c[now] = c[old];
        delete c[old];
      }
    }
    return new cls(c as never);
  }
}
tf.serialization.registerClass(LowbitWageOptimizer);
