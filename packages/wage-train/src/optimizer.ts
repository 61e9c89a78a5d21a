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
  checkObject,
  checkTensor,
  LowbitConfigError,
  LowbitDataError,
  SeededRng,
  wageQuantizeGradient,
  wageSigma,
} from '@lowbit/quant-core';
import { checkWageBits, rejectRenamed, RENAMED_WAGE_OPTIONS } from './bits.js';
import { checkFiniteValues, firstNonFinite } from './finite.js';

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
   * tests and for custom loops. Consumes `g.size` draws. Throws a LowbitDataError for a gradient
   * holding NaN or Infinity (checked with one read of a flag).
   */
  quantizedUpdate(g: tf.Tensor): tf.Tensor {
    checkTensor('gradient', g, { dtype: 'float32' });
    checkFiniteValues('gradient', g);
    return this.update(g);
  }

  private update(g: tf.Tensor): tf.Tensor {
    return wageQuantizeGradient(g, this.gradientBits, this.eta, this.rng);
  }

  /**
   * Subtracts the quantized update from each variable and clips it. Every name and gradient is
   * checked before any variable changes: a gradient of another shape or dtype, an unregistered
   * name or a gradient holding NaN / Infinity (NaN data, a diverged loss) throws and leaves the
   * weights as they were. Entries without a gradient (`null`, `undefined`) are skipped, as tfjs does.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const updates = gradientsByVariable(variableGradients);
    const bad = firstNonFinite(updates.map((u) => u.gradient));
    if (bad >= 0) {
      throw new LowbitDataError(
        `variableGradients.${updates[bad].variable.name}`,
        'the gradient contains NaN or Infinity (NaN in the data or a diverged loss); no weight was changed',
      );
    }
    const limit = 1 - wageSigma(this.weightBits);
    for (const { variable, gradient } of updates) {
      tf.tidy(() => {
        const dW = this.update(gradient);
        variable.assign(tf.clipByValue(tf.sub(variable, dW), -limit, limit));
      });
    }
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    // The draw counter makes a resumed run continue the same random stream; split in two
    // 31-bit halves because int32 weights cannot hold 2^53.
    const counter = this.rng.state.counter;
    const halves = tf.tensor1d([counter % 2 ** 31, Math.floor(counter / 2 ** 31)], 'int32');
    return [await this.saveIterations(), { name: COUNTER_WEIGHT, tensor: halves }];
  }

  /** Restores what {@link getWeights} saved: the iteration count, then the draw counter. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const where = 'LowbitWageOptimizer.setWeights';
    if (!Array.isArray(weightValues) || weightValues.length === 0) {
      throw new LowbitConfigError(
        'weightValues',
        weightValues,
        'expected [{ name, tensor }, ...] as getWeights returns',
      );
    }
    weightValues.forEach((w, i) => {
      if (w === null || typeof w !== 'object' || typeof w.name !== 'string')
        throw new LowbitConfigError(`weightValues[${i}]`, w, 'expected { name: string, tensor: tf.Tensor }');
      checkTensor(`weightValues[${i}].tensor`, w.tensor);
    });
    const iterations = weightValues[0].tensor;
    const [count] = Array.from(await iterations.data());
    if (iterations.size !== 1 || !Number.isSafeInteger(count) || count < 0)
      throw new LowbitDataError(where, `the first weight must be the iteration count (an integer >= 0), got ${count}`);
    const rest = await this.extractIterations(weightValues);
    if (rest.length === 0) return;
    const entry = rest.find((w) => w.name.endsWith(COUNTER_WEIGHT));
    if (rest.length !== 1 || entry === undefined || entry.tensor.size !== 2) {
      throw new LowbitDataError(
        where,
        `expected one ${COUNTER_WEIGHT} weight of 2 values, got ${rest.map((w) => w.name).join(', ')}`,
      );
    }
    const [lo, hi] = Array.from(await entry.tensor.data());
    const counter = hi * 2 ** 31 + lo;
    if (!Number.isSafeInteger(counter) || lo < 0 || hi < 0)
      throw new LowbitDataError(where, `invalid draw counter [${lo}, ${hi}]`);
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

/** The variable of each gradient (both tfjs forms), checked; entries without a gradient are left out. */
function gradientsByVariable(
  variableGradients: tf.NamedTensorMap | NamedTensor[],
): { variable: tf.Variable; gradient: tf.Tensor }[] {
  const argument = 'variableGradients';
  let entries: [string, unknown, string][];
  if (Array.isArray(variableGradients)) {
    entries = variableGradients.map((v, i) => {
      if (v === null || typeof v !== 'object' || typeof v.name !== 'string')
        throw new LowbitConfigError(`${argument}[${i}]`, v, 'expected { name: string, tensor: tf.Tensor }');
      return [v.name, v.tensor, `${argument}[${i}].tensor`];
    });
  } else {
    checkObject(argument, variableGradients, '{ [variable name]: gradient } or [{ name, tensor }]');
    entries = Object.entries(variableGradients).map(([name, g]) => [name, g, `${argument}.${name}`]);
  }
  const out: { variable: tf.Variable; gradient: tf.Tensor }[] = [];
  for (const [name, g, where] of entries) {
    if (g == null) continue;
    const variable = tf.engine().registeredVariables[name];
    if (variable === undefined) throw new LowbitConfigError(argument, name, 'no variable of that name is registered');
    const gradient = checkTensor(where, g, { dtype: 'float32' });
    if (gradient.shape.join(',') !== variable.shape.join(','))
      throw new LowbitConfigError(
        `${where}.shape`,
        gradient.shape,
        `expected the variable's shape [${variable.shape}]`,
      );
    out.push({ variable, gradient });
  }
  return out;
}
