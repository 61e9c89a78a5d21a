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
import { LowbitQuantConv2D, LowbitConfigError, wageAlpha, type LayerPrecision, type QuantizedExport, type Quantizer } from '@lowbit/quant-core';
import { fanInOf, snapToWageGrid, wageInitialKernel } from './wage-init.js';
import { wageBaseArgs, wageKernelQuantizer, wagePrecision, type WageWeightArgs } from './wage-layer-args.js';

export type WageConv2DArgs = Omit<ConvLayerArgs, 'useBias' | 'activation'> & WageWeightArgs & { useBias?: false; activation?: 'linear' };

export class LowbitWageConv2D extends LowbitQuantConv2D {
  static override className = 'LowbitWageConv2D';
  readonly bitsW: number;
  readonly inputBits: number;
  readonly seed: number;
  private readonly customInit: boolean;
  private scale = 1;
  private fanIn: number | null = null;

  constructor(args: WageConv2DArgs) {
    const parsed = wageBaseArgs('wageConv2d', args);
    super(parsed.base as unknown as ConvLayerArgs);
    this.bitsW = parsed.bitsW;
    this.inputBits = parsed.inputBits;
    this.seed = parsed.seed;
    this.customInit = parsed.customInit;
  }

  /** The constant output scale divisor alpha (a power of two >= 1); 1 until built. */
  get alpha(): number {
    return this.scale;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const fresh = this.kernel == null;
    super.build(inputShape);
    const kernel = this.kernel!;
    this.fanIn = fanInOf(kernel.shape as number[]);
    if (fresh) {
      const initial = this.customInit ? snapToWageGrid(kernel.read(), this.bitsW) : wageInitialKernel(kernel.shape as number[], this.bitsW, this.seed);
      kernel.write(initial);
      initial.dispose();
    }
    this.scale = wageAlpha(this.bitsW, this.fanIn);
    // alpha depends on fan_in, known only now; the quantizer has no state, so swap it in.
    (this as unknown as { kernelQuantizer: Quantizer }).kernelQuantizer = wageKernelQuantizer(this.bitsW, this.scale);
  }

  override lowbitPrecision(): LayerPrecision {
    return wagePrecision(this.bitsW, this.inputBits, this.fanIn);
  }

  /**
   * The kernel's k_W-bit codes with the power-of-two scale `sigma(k_W) / alpha`: dequantized, the
   * exact kernel of the forward pass. (Reads the variable without disposing it.)
   */
  override exportQuantized(): QuantizedExport {
    if (this.kernel == null) throw new LowbitConfigError(`${this.name}.kernel`, null, 'the layer must be built (called on an input) first');
    return { kernel: this.kernelQuantizer!.quantize(this.kernel.read()) };
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config.kernelQuantizer;
    delete config.inputQuantizer;
    if (!this.customInit) delete config.kernelInitializer;
    return { ...config, bitsW: this.bitsW, inputBits: this.inputBits, seed: this.seed };
  }
}
tf.serialization.registerClass(LowbitWageConv2D);

/** Creates a {@link LowbitWageConv2D}. */
export function wageConv2d(args: WageConv2DArgs): LowbitWageConv2D {
  return new LowbitWageConv2D(args);
}
