/**
 * `LowbitWageConv2D` (`wageConv2d`): a WAGE convolution, a {@link LowbitQuantConv2D} with the same
 * WAGE rules as {@link LowbitWageDense}: no bias, linear output, WAGE initialisation snapped to the
 * k_W grid, forward kernel `Q(C(W, k_W), k_W) / alpha` with
 * `alpha = max(Shift(1.5 sigma(k_W) / sqrt(3 / fan_in)), 1)`, fan_in = kh * kw * c_in.
 * Every other argument is tfjs's Conv2D argument (strides, padding, dilation, data format).
 *
 * ```ts
 * const conv = wageConv2d({ filters: 64, kernelSize: 5, bitsW: 2, seed: 2 }); // LeNet conv 2
 * conv.apply(tf.zeros([1, 12, 12, 32]));  // fan_in 800: alpha = 16
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional.js';
import { LowbitQuantConv2D, type LayerPrecision, type Quantizer } from '@lowbit/quant-core';
import { setUpWageKernel, wageBaseArgs, wageLayerConfig, wagePrecision, type WageKernelSetup, type WageWeightArgs, type WageWeightSettings } from './wage-layer-args.js';

export type WageConv2DArgs = Omit<ConvLayerArgs, 'useBias' | 'activation'> & WageWeightArgs & { useBias?: false; activation?: 'linear' };

export class LowbitWageConv2D extends LowbitQuantConv2D {
  static override className = 'LowbitWageConv2D';
  private readonly wage: WageWeightSettings;
  private setup: WageKernelSetup | null = null;

  constructor(args: WageConv2DArgs) {
    const { base, ...settings } = wageBaseArgs('wageConv2d', args);
    super(base as unknown as ConvLayerArgs);
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
tf.serialization.registerClass(LowbitWageConv2D);

/** Creates a {@link LowbitWageConv2D}. */
export function wageConv2d(args: WageConv2DArgs): LowbitWageConv2D {
  return new LowbitWageConv2D(args);
}
