/**
 * `wageDense` / `wageConv2d`: WAGE's weight layers, quant-core's generic `quantDense` /
 * `quantConv2d` with WAGE's parts:
 *
 * - no bias and a linear output (ReLU, Q_E and Q_A live in the following `wageActivation`);
 * - `kernelInitializer`: {@link LowbitWageInitializer}, `U(-L, L)` snapped to the k_W grid, seeded
 *   (`seed`); any other tfjs initializer given is drawn from and snapped (it becomes the
 *   initializer's `base`);
 * - `kernelQuantizer`: quant-core's `LowbitWageQuantizer` (`weightBits`, `alpha: 'auto'`): forward
 *   weights `Q(C(W, k_W), k_W) / alpha` (STE), where the constant
 *   `alpha = max(Shift(1.5 sigma(k_W) / sqrt(3 / fan_in)), 1)` (quant-core `wageAlpha`), derived
 *   from the kernel shape when the layer is built, replaces batch norm. The shadow weights W stay
 *   on the k_G grid when trained with {@link LowbitWageOptimizer};
 * - `inputQuantizer`: {@link LowbitWagePassThroughQuantizer} (`inputBits`, default 8): leaves the
 *   values alone (the activation before already quantized them) and reports them to hw-model as
 *   k_A-bit integers.
 * Every other argument is the tfjs layer's (strides, padding, dilation, data format, names) or
 * another technique's part (`arithmetic`, `outputQuantizer`).
 *
 * ```ts
 * const fc = wageDense({ units: 10, weightBits: 2, seed: 3 });
 * fc.apply(tf.zeros([1, 512]));   // builds: kernel [512, 10] in {-0.5, 0, 0.5}, alpha = 8
 * isWageLayer(fc) && fc.kernelQuantizer.alpha; // 8
 * fc.exportQuantized().kernel;     // codes in {-1, 0, 1}, scale 0.5 / 8
 * const conv = wageConv2d({ filters: 64, kernelSize: 5, weightBits: 2, seed: 2 }); // fan_in 800: alpha 16
 * ```
 */
import {
  checkInteger,
  LowbitConfigError,
  LowbitQuantConv2D,
  LowbitQuantDense,
  LowbitWageQuantizer,
  quantConv2d,
  quantDense,
  type QuantConv2DArgs,
  type QuantDenseArgs,
} from '@lowbit/quant-core';
import { checkWageBits, rejectRenamed } from './bits.js';
import { LowbitWagePassThroughQuantizer } from './wage-quantizers.js';
import { isWageInitializer, LowbitWageInitializer, type InitializerIdentifier } from './wage-init.js';

export interface WageWeightArgs {
  /** Weight bit width k_W, 2..16 (default 2: ternary). */
  weightBits?: number;
  /** Bit width k_A of the WAGE activation feeding this layer, reported to hw-model (default 8). */
  inputBits?: number;
  /** Seed of WAGE's initial kernel (default 0); only without a kernelInitializer. */
  seed?: number;
  /**
   * A LowbitWageInitializer, or any tfjs initializer whose draws are snapped to the k_W grid
   * (default: WAGE's U(-L, L) with `seed`).
   */
  kernelInitializer?: InitializerIdentifier;
}

type Fixed = 'useBias' | 'activation' | 'kernelQuantizer' | 'inputQuantizer' | 'kernelInitializer';

export type WageDenseArgs = Omit<QuantDenseArgs, Fixed> & WageWeightArgs & { useBias?: false; activation?: 'linear' };
export type WageConv2DArgs = Omit<QuantConv2DArgs, Fixed> & WageWeightArgs & { useBias?: false; activation?: 'linear' };

/** A layer made by {@link wageDense} or {@link wageConv2d}: its kernel quantizer is WAGE's. */
export type WageLayer = (LowbitQuantDense | LowbitQuantConv2D) & { readonly kernelQuantizer: LowbitWageQuantizer };

/** The quantDense / quantConv2d arguments of a WAGE weight layer. */
export function wageLayerArgs(factory: string, args: WageWeightArgs): Record<string, unknown> {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new LowbitConfigError(factory, args, 'expected an object of layer arguments');
  }
  rejectRenamed(factory, args);
  const a = args as Record<string, unknown>;
  for (const key of ['kernelQuantizer', 'inputQuantizer'] as const) {
    if (a[key] != null) {
      throw new LowbitConfigError(
        `${factory}.${key}`,
        a[key],
        `${factory} sets its own (weightBits, inputBits); do not pass ${key}`,
      );
    }
  }
  if (a.useBias !== undefined && a.useBias !== false) {
    throw new LowbitConfigError(
      `${factory}.useBias`,
      a.useBias,
      'WAGE layers have no bias (a constant scale replaces bias and batch norm); expected false',
    );
  }
  if (a.activation !== undefined && a.activation !== 'linear') {
    throw new LowbitConfigError(
      `${factory}.activation`,
      a.activation,
      `expected 'linear'; put a wageActivation layer (ReLU, Q_E, Q_A) after the layer`,
    );
  }
  const weightBits = checkWageBits('weightBits', args.weightBits ?? 2);
  const inputBits = checkWageBits('inputBits', args.inputBits ?? 8);
  const seed = checkInteger('seed', args.seed ?? 0, 0, 0xffffffff);
  const rest: Record<string, unknown> = { ...a };
  for (const key of ['weightBits', 'inputBits', 'seed']) delete rest[key];
  rest.kernelInitializer = wageKernelInitializer(weightBits, seed, args);
  rest.kernelQuantizer = new LowbitWageQuantizer({ bits: weightBits, mode: 'weight', alpha: 'auto' });
  rest.inputQuantizer = new LowbitWagePassThroughQuantizer({ bits: inputBits });
  rest.useBias = false;
  rest.activation = 'linear';
  return rest;
}

function wageKernelInitializer(weightBits: number, seed: number, args: WageWeightArgs): LowbitWageInitializer {
  const given = args.kernelInitializer;
  if (given == null) return new LowbitWageInitializer({ bits: weightBits, seed });
  if (args.seed !== undefined) {
    throw new LowbitConfigError(
      'seed',
      args.seed,
      "seeds WAGE's own initial kernel: give either seed or a kernelInitializer",
    );
  }
  if (!isWageInitializer(given)) return new LowbitWageInitializer({ bits: weightBits, base: given });
  const init =
    given instanceof LowbitWageInitializer
      ? given
      : new LowbitWageInitializer((given as { config?: object }).config as never);
  if (init.bits !== weightBits) {
    throw new LowbitConfigError('kernelInitializer.bits', init.bits, `expected weightBits (${weightBits})`);
  }
  return init;
}

/** A WAGE fully connected layer (a `LowbitQuantDense`). */
export function wageDense(args: WageDenseArgs): LowbitQuantDense {
  return quantDense(wageLayerArgs('wageDense', args) as unknown as QuantDenseArgs);
}

/** A WAGE convolution (a `LowbitQuantConv2D`); fan_in = kh * kw * c_in. */
export function wageConv2d(args: WageConv2DArgs): LowbitQuantConv2D {
  return quantConv2d(wageLayerArgs('wageConv2d', args) as unknown as QuantConv2DArgs);
}

/** True for a dense or conv2d layer whose kernel quantizer is WAGE's weight quantizer. */
export function isWageLayer(layer: unknown): layer is WageLayer {
  if (!(layer instanceof LowbitQuantDense || layer instanceof LowbitQuantConv2D)) return false;
  const q = layer.kernelQuantizer;
  return q instanceof LowbitWageQuantizer && q.mode === 'weight';
}
