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
import { LowbitQuantDense, LowbitConfigError, wageAlpha, type LayerPrecision, type QuantizedExport, type Quantizer } from '@lowbit/quant-core';
import { fanInOf, snapToWageGrid, wageInitialKernel } from './wage-init.js';
import { wageBaseArgs, wageKernelQuantizer, wagePrecision, type WageWeightArgs } from './wage-layer-args.js';

export type WageDenseArgs = Omit<DenseLayerArgs, 'useBias' | 'activation'> & WageWeightArgs & { useBias?: false; activation?: 'linear' };

export class LowbitWageDense extends LowbitQuantDense {
  static override className = 'LowbitWageDense';
  readonly bitsW: number;
  readonly inputBits: number;
  readonly seed: number;
  private readonly customInit: boolean;
  private scale = 1;
  private fanIn: number | null = null;

  constructor(args: WageDenseArgs) {
    const parsed = wageBaseArgs('wageDense', args);
    super(parsed.base as unknown as DenseLayerArgs);
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
tf.serialization.registerClass(LowbitWageDense);

/** Creates a {@link LowbitWageDense}. */
export function wageDense(args: WageDenseArgs): LowbitWageDense {
  return new LowbitWageDense(args);
}
