/**
 * WAGE initialisation. The math (`wageInitLimit`, `wageAlpha`) lives in @lowbit/quant-core:
 *
 * - Limit: `L = max(L_min, L_0)` with `L_min = 1.5 * sigma(k_W)` (the smallest range that still
 *   reaches the first nonzero k_W level after rounding) and `L_0 = sqrt(3 / fan_in)` (the uniform
 *   limit that keeps the variance of a layer's output equal to its input's, He/LeCun fan-in).
 * - Scale: `alpha = max(Shift(L_min / L_0), 1)`: when the k_W grid forces weights larger than
 *   `L_0`, the layer divides its output by the power of two closest to the ratio.
 *   This is how the authors' code computes it (the initializer records
 *   `2^round(log2(1.5 sigma / sqrt(3/fan_in)))`, floored at 1, per layer). The WAGE layers get it
 *   from their kernel quantizer (`LowbitWageQuantizer` with `alpha: 'auto'`).
 * - {@link wageInitialKernel}: `W ~ U(-L, L)` from a {@link SeededRng}, snapped to the k_W grid
 *   (`C(Q(W))`), so the weights start as integers times `sigma(k_W)`.
 * - {@link LowbitWageInitializer} (`wageInitializer({ bits, seed })`): that kernel as a registered
 *   tfjs initializer, the `kernelInitializer` of `wageDense` / `wageConv2d`. With `base` (any tfjs
 *   initializer) it draws from `base` instead and snaps the values to the k_W grid.
 *
 * ```ts
 * wageInitLimit(2, 25);  // 0.75 (1.5 * 0.5 > sqrt(3/25) = 0.346)
 * wageAlpha(2, 25);      // 2    (Shift(0.75 / 0.346) = 2^round(1.12))
 * wageInitialKernel([5, 5, 1, 32], 2, 1); // values in {-0.5, 0, 0.5}
 * quantDense({ units: 10, kernelInitializer: wageInitializer({ bits: 2, seed: 3 }) });
 * wageInitializer({ bits: 4, base: 'glorotUniform' }); // glorot draws snapped to the 4-bit grid
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers.js';
import {
  checkConfig,
  checkFloatTensor,
  checkInteger,
  checkShape,
  isTfjsInitializer,
  LowbitConfigError,
  LowbitInitializer,
  roundHalfEven,
  SeededRng,
  wageClip,
  wageInitLimit,
  wageQ,
  wageSigma,
} from '@lowbit/quant-core';
import { checkWageBits, maxWageCode } from './bits.js';

/** Input connections of one output unit: `in` for a dense kernel [in, out], `kh*kw*cin` for conv. */
export function fanInOf(kernelShape: readonly number[]): number {
  if (
    !Array.isArray(kernelShape) ||
    kernelShape.length < 2 ||
    !kernelShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new LowbitConfigError(
      'kernelShape',
      kernelShape,
      'expected a kernel shape of rank >= 2 with positive integer sizes',
    );
  }
  return kernelShape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * Most weights one initial kernel may have: 2^28 (1 GiB of float32). A larger shape is almost
 * surely a mistake, and drawing it would exhaust memory before tfjs could complain.
 */
const MAX_WAGE_KERNEL_SIZE = 2 ** 28;

/**
 * The WAGE initial kernel: `U(-L, L)` (L from quant-core's `wageInitLimit`) snapped to the k_W
 * grid, `C(Q(W))`. Deterministic for (shape, weightBits, seed): the draws come from a {@link SeededRng}.
 */
export function wageInitialKernel(shape: readonly number[], weightBits: number, seed: number): tf.Tensor {
  checkWageBits('weightBits', weightBits);
  checkInteger('seed', seed, 0, 0xffffffff);
  const fanIn = fanInOf(shape);
  checkShape('shape', shape, MAX_WAGE_KERNEL_SIZE);
  const limit = wageInitLimit(weightBits, fanIn);
  const sigma = wageSigma(weightBits);
  const top = maxWageCode(weightBits);
  const u = new SeededRng(seed).uniform(shape.reduce((a, b) => a * b, 1));
  const values = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) {
    const code = roundHalfEven(((2 * u[i] - 1) * limit) / sigma);
    values[i] = Math.min(top, Math.max(-top, code)) * sigma;
  }
  return tf.tensor(values, [...shape], 'float32');
}

/**
 * Snaps any kernel to the k_W grid: `C(Q(W, k_W), k_W)` (for kernels drawn by another initializer).
 * NaN weights stay NaN (as quant-core's `wageQ` and `wageClip`).
 */
export function snapToWageGrid(w: tf.Tensor, weightBits: number): tf.Tensor {
  checkFloatTensor('w', w);
  checkWageBits('weightBits', weightBits);
  return tf.tidy(() => wageClip(wageQ(w, weightBits), weightBits));
}

/** A tfjs initializer argument: a name ('glorotUniform'), an Initializer, or `{ className, config }`. */
export type InitializerIdentifier = string | Initializer | { className: string; config?: tf.serialization.ConfigDict };

export interface WageInitializerConfig {
  /** Weight bit width k_W of the grid, 2..16 (default 2). */
  bits?: number;
  /** Seed of the U(-L, L) draws (default 0); not used with `base`. */
  seed?: number;
  /** Draw from this tfjs initializer instead of U(-L, L), then snap to the k_W grid. */
  base?: InitializerIdentifier | null;
}

type InitializerFactories = Record<string, ((args?: object) => Initializer) | undefined>;

function isInitializer(value: unknown): value is Initializer {
  return isTfjsInitializer(value);
}

/** Resolves a tfjs initializer argument as tfjs layers do (names, instances, serialized configs). */
function resolveInitializer(identifier: InitializerIdentifier, argument: string): Initializer {
  if (isInitializer(identifier)) return identifier;
  if (typeof identifier === 'string') {
    const name = identifier.charAt(0).toLowerCase() + identifier.slice(1);
    const factory = (tfl.initializers as unknown as InitializerFactories)[name];
    if (typeof factory !== 'function') {
      throw new LowbitConfigError(argument, identifier, "expected a tfjs initializer name such as 'glorotUniform'");
    }
    return factory({});
  }
  if (identifier !== null && typeof identifier === 'object' && typeof identifier.className === 'string') {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[identifier.className];
    if (entry === undefined) {
      throw new LowbitConfigError(`${argument}.className`, identifier.className, 'not a registered tfjs initializer');
    }
    const [cls, fromConfig] = entry;
    const made = fromConfig(cls, { ...(identifier.config ?? {}) });
    if (!isInitializer(made))
      throw new LowbitConfigError(`${argument}.className`, identifier.className, 'not an initializer');
    return made;
  }
  throw new LowbitConfigError(argument, identifier, 'expected a tfjs initializer, its name or { className, config }');
}

/**
 * WAGE's kernel initializer (a registered tfjs initializer, so layers using it save and load with
 * no custom objects): {@link wageInitialKernel} for `(shape, bits, seed)`, or the draws of `base`
 * snapped to the k_W grid. Deterministic: the same shape and config give the same kernel.
 */
export class LowbitWageInitializer extends LowbitInitializer {
  static className = 'LowbitWageInitializer';
  readonly bits: number;
  readonly seed: number;
  readonly base: Initializer | null;

  constructor(config: WageInitializerConfig = {}) {
    super();
    const c = checkConfig<WageInitializerConfig>('LowbitWageInitializer', config, ['bits', 'seed', 'base']);
    this.bits = checkWageBits('bits', c.bits ?? 2);
    this.seed = checkInteger('seed', c.seed ?? 0, 0, 0xffffffff);
    this.base = c.base == null ? null : resolveInitializer(c.base, 'base');
    if (this.base instanceof LowbitWageInitializer) {
      throw new LowbitConfigError('base', 'LowbitWageInitializer', 'expected another tfjs initializer');
    }
  }

  apply(shape: tfl.Shape, dtype?: tf.DataType): tf.Tensor {
    if (dtype !== undefined && dtype !== 'float32') throw new LowbitConfigError('dtype', dtype, 'expected float32');
    const dims = shape as number[];
    fanInOf(dims);
    checkShape('shape', dims, MAX_WAGE_KERNEL_SIZE);
    if (this.base === null) return wageInitialKernel(dims, this.bits, this.seed);
    return tf.tidy(() => snapToWageGrid(this.base!.apply(dims, 'float32'), this.bits));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { bits: this.bits, seed: this.seed };
    if (this.base !== null) config.base = { className: this.base.getClassName(), config: this.base.getConfig() };
    return config;
  }
}
tf.serialization.registerClass(LowbitWageInitializer);

/** Creates a {@link LowbitWageInitializer}. */
export function wageInitializer(config: WageInitializerConfig = {}): LowbitWageInitializer {
  return new LowbitWageInitializer(config);
}

/** True for a {@link LowbitWageInitializer} instance or its serialized form. */
export function isWageInitializer(value: unknown): boolean {
  if (value instanceof LowbitWageInitializer) return true;
  return (value as { className?: unknown } | null)?.className === LowbitWageInitializer.className;
}
