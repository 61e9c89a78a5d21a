/**
 * `LowbitWageDense` (`wageDense`): a WAGE fully connected layer, a {@link LowbitQuantDense} with
 * - no bias and a linear output (ReLU, Q_E and Q_A live in a following `wageActivation`);
 * - weights initialised `U(-L, L)` and snapped to the k_W grid ({@link wageInitialKernel});
 * - forward weights `Q(C(W, k_W), k_W) / alpha` (`LowbitWageQuantizer`, STE), where the constant
 *   `alpha = max(Shift(1.5 sigma(k_W) / sqrt(3 / fan_in)), 1)` (quant-core `wageAlpha`) replaces batch
 *   norm. The shadow weights W stay on the k_G grid when trained with {@link LowbitWageOptimizer}.
 *
 * ```ts
 * const fc = wageDense({ units: 10, bitsW: 2, seed: 3 });
 * fc.apply(tf.zeros([1, 512]));   // builds: kernel [512, 10] in {-0.5, 0, 0.5}, alpha = 8
 * fc.alpha;                        // 8
 * fc.exportQuantized().kernel;     // codes in {-1, 0, 1}, scale 0.5 / 8
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core.js';
import { LowbitQuantDense, type LayerPrecision, type Quantizer } from '@lowbit/quant-core';
import { setUpWageKernel, wageBaseArgs, wageLayerConfig, wagePrecision, type WageKernelSetup, type WageWeightArgs, type WageWeightSettings } from './wage-layer-args.js';

export type WageDenseArgs = Omit<DenseLayerArgs, 'useBias' | 'activation'> & WageWeightArgs & { useBias?: false; activation?: 'linear' };

export class LowbitWageDense extends LowbitQuantDense {
  static override className = 'LowbitWageDense';
  private readonly wage: WageWeightSettings;
  private setup: WageKernelSetup | null = null;

  constructor(args: WageDenseArgs) {
    const { base, ...settings } = wageBaseArgs('wageDense', args);
    super(base as unknown as DenseLayerArgs);
    this.wage = settings;
  }

  /** Weight bit width k_W. */
  get bitsW(): number {
    return this.wage.bitsW;
  }

  /** Bit width k_A of the activation feeding this layer. */
  get inputBits(): number {
    return this.wage.inputBits;
  }

  get seed(): number {
    return this.wage.seed;
  }

  /** The constant output scale divisor alpha (a power of two >= 1); 1 until built. */
  get alpha(): number {
    return this.setup?.alpha ?? 1;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const fresh = this.kernel == null;
    super.build(inputShape);
    this.setup = setUpWageKernel(this.kernel!, fresh, this.wage);
    // The quantizer has no state, so the one dividing by this layer's alpha simply replaces it.
    (this as unknown as { kernelQuantizer: Quantizer }).kernelQuantizer = this.setup.quantizer;
  }

  override lowbitPrecision(): LayerPrecision {
    return wagePrecision(this.wage.bitsW, this.wage.inputBits, this.setup?.fanIn ?? null);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return wageLayerConfig(super.getConfig(), this.wage);
  }
}
tf.serialization.registerClass(LowbitWageDense);

/** Creates a {@link LowbitWageDense}. */
export function wageDense(args: WageDenseArgs): LowbitWageDense {
  return new LowbitWageDense(args);
}
