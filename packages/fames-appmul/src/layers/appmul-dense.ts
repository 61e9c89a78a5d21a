/**
 * `LowbitAppMulDense` (`appMulDense`): a quantized Dense whose products go through an approximate
 * multiplier. A {@link LowbitQuantDense} (same tfjs Dense arguments, `kernelQuantizer`,
 * `inputQuantizer`) plus `multiplier`: an {@link AppMul} or its name ({@link resolveAppMul}).
 *
 * Forward with a multiplier: the input and kernel are turned into integer codes by their
 * quantizers (`quantize`, which must use zero points of 0: symmetric weights, unsigned or
 * symmetric activations), multiplied through the AppMul ({@link appMulMatMul}, bit-exact) and
 * scaled back by `s_input * s_kernel` (per output channel for per-channel kernels).
 * Backward: straight-through, the gradient of the exact product of the fake-quantized operands.
 * Without a multiplier (or `null`) the layer is exactly `LowbitQuantDense`.
 *
 * ```ts
 * const layer = appMulDense({ units: 10, inputQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } },
 *   kernelQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4 } }, multiplier: 'trunc3_a4u_w4s' });
 * layer.setMultiplier(resolveAppMul('drum2_a4u_w4s')); // e.g. after selectMultipliers
 * layer.lowbitPrecision().multiplier; // { name: 'drum2_a4u_w4s', energyPj: ... }
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitQuantDense, type LayerPrecision, type QuantDenseArgs } from '@lowbit/quant-core';
import { AppMul } from '../appmul.js';
import { resolveMultiplierArg } from './multiplier-arg.js';
import { appMulMatMul, type AppMulPath } from '../simulate/appmul-matmul.js';
import { checkCodesFit, operandCodesOf, probedProduct, scaleTensor, type CountingProbe } from './operand-codes.js';

export interface AppMulDenseArgs extends QuantDenseArgs {
  /** The approximate multiplier, or its name; null / absent: exact products. */
  multiplier?: AppMul | string | null;
  /** Simulation path (see `appMulMatMul`); default 'auto'. */
  appMulPath?: AppMulPath;
}

/** Integer codes of a layer's operands and the scale that turns their products into outputs. */
export interface DenseOperandCodes {
  /** `[B, K]` int32 activation codes. */
  aCodes: tf.Tensor2D;
  /** `[K, N]` int32 weight codes. */
  wCodes: tf.Tensor2D;
  /** `s_input * s_kernel`: one number, or one per output channel. */
  outputScale: number | Float64Array;
}

export class LowbitAppMulDense extends LowbitQuantDense {
  static override className = 'LowbitAppMulDense';
  private appMul: AppMul | null;
  readonly appMulPath: AppMulPath;
  /** Set only during counting-matrix calibration. */
  countingProbe: CountingProbe | null = null;

  constructor(args: AppMulDenseArgs) {
    const { multiplier, appMulPath, ...rest } = args ?? ({} as AppMulDenseArgs);
    super(rest);
    this.appMul = resolveMultiplierArg(multiplier);
    this.appMulPath = appMulPath ?? 'auto';
  }

  /** The multiplier in use, or null (exact). */
  get multiplier(): AppMul | null {
    return this.appMul;
  }

  /** Swaps the multiplier (null: exact products). */
  setMultiplier(m: AppMul | string | null): void {
    this.appMul = resolveMultiplierArg(m);
  }

  /**
   * The operand codes of this layer for 2-D inputs `x` (raw, before the input quantizer), as
   * hardware would multiply them; for counting matrices. The caller disposes the tensors.
   */
  operandCodes(x: tf.Tensor2D): DenseOperandCodes {
    if (!this.inputQuantizer || !this.kernelQuantizer) {
      throw new LowbitConfigError(`${this.name}.inputQuantizer/kernelQuantizer`, null, 'integer operands need both an input and a kernel quantizer');
    }
    const input = tf.tidy(() => this.quantizedInput(x, false));
    try {
      return this.codesOf(input as tf.Tensor2D);
    } finally {
      input.dispose();
    }
  }

  protected codesOf(input: tf.Tensor2D): DenseOperandCodes {
    // read() returns the variable itself: quantize it in place, never dispose it.
    return operandCodesOf(this.name, this.inputQuantizer, this.kernelQuantizer, input, this.kernel!.read(), 1) as DenseOperandCodes;
  }

  protected override multiply(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    if (this.countingProbe) {
      const K = inputs.shape[inputs.shape.length - 1] as number;
      return probedProduct(this.countingProbe, super.multiply(inputs, kernel), () => this.codesOf((inputs.rank === 2 ? inputs : tf.reshape(inputs, [-1, K])) as tf.Tensor2D));
    }
    const m = this.appMul;
    if (m === null) return super.multiply(inputs, kernel);
    if (!this.inputQuantizer || !this.kernelQuantizer) {
      throw new LowbitConfigError(`${this.name}.multiplier`, m.name, 'an approximate multiplier needs both an input and a kernel quantizer (integer operands)');
    }
    const lead = inputs.shape.slice(0, -1);
    const K = inputs.shape[inputs.shape.length - 1] as number;
    const x2 = (inputs.rank === 2 ? inputs : tf.reshape(inputs, [-1, K])) as tf.Tensor2D;
    const k2 = kernel as tf.Tensor2D;
    const approx = tf.tidy(() => {
      const { aCodes, wCodes, outputScale } = this.codesOf(x2);
      checkCodesFit(this.name, m, aCodes, wCodes);
      return tf.mul(appMulMatMul(aCodes, wCodes, m, { path: this.appMulPath, checkCodes: false }), scaleTensor(outputScale));
    });
    // Value: the approximate product; gradient: the exact product's (straight-through).
    const ste = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, w]);
      return {
        value: approx.clone(),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D, false, true), tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D, true, false)],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const y = ste(x2, k2);
    approx.dispose();
    return inputs.rank === 2 ? y : tf.reshape(y, [...lead, k2.shape[1]]);
  }

  override lowbitPrecision(): LayerPrecision {
    const p = super.lowbitPrecision();
    return this.appMul ? { ...p, multiplier: { name: this.appMul.name, energyPj: this.appMul.energyPj } } : p;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), multiplier: this.appMul?.name ?? null, appMulPath: this.appMulPath };
  }
}
tf.serialization.registerClass(LowbitAppMulDense);

/** Creates a {@link LowbitAppMulDense}. */
export function appMulDense(args: AppMulDenseArgs): LowbitAppMulDense {
  return new LowbitAppMulDense(args);
}
