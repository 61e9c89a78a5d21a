/**
 * `LowbitAppMulConv2D` (`appMulConv2dLayer`): a quantized Conv2D whose products go through an
 * approximate multiplier. quant-core's `LowbitQuantConv2D` (same tfjs Conv2D arguments plus
 * `kernelQuantizer`, `inputQuantizer`) with `multiplier` (an {@link AppMul} or its name), like
 * {@link LowbitAppMulDense}: codes from the quantizers (zero points 0), the convolution through
 * {@link appMulConv2d} (bit-exact), scaled by `s_in * s_kernel`; straight-through backward (the
 * exact convolution's gradients). `channelsLast` data and dilation 1 only when a multiplier is set.
 *
 * ```ts
 * const conv = appMulConv2dLayer({ filters: 8, kernelSize: 3, padding: 'same', inputQuantizer: act, kernelQuantizer: wgt,
 *   multiplier: 'trunc6_a8u_w8s' });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitQuantConv2D, type LayerPrecision, type QuantConv2DArgs } from '@lowbit/quant-core';
import { AppMul } from '../appmul.js';
import { resolveMultiplierArg } from './multiplier-arg.js';
import { appMulConv2d } from '../simulate/appmul-conv2d.js';
import type { AppMulPath } from '../simulate/appmul-matmul.js';
import { extractPatches } from '../simulate/patches.js';
import { checkCodesFit, operandCodesOf, probedProduct, scaleTensor, type CountingProbe, type OperandCodes } from './operand-codes.js';

export interface AppMulConv2DArgs extends QuantConv2DArgs {
  multiplier?: AppMul | string | null;
  appMulPath?: AppMulPath;
}

export class LowbitAppMulConv2D extends LowbitQuantConv2D {
  static override className = 'LowbitAppMulConv2D';
  private appMul: AppMul | null;
  readonly appMulPath: AppMulPath;
  /** Set only during counting-matrix calibration (`countingMatricesOf`). */
  countingProbe: CountingProbe | null = null;

  constructor(args: AppMulConv2DArgs) {
    const { multiplier, appMulPath, ...rest } = args ?? ({} as AppMulConv2DArgs);
    super(rest);
    this.appMul = resolveMultiplierArg(multiplier);
    this.appMulPath = appMulPath ?? 'auto';
  }

  get multiplier(): AppMul | null {
    return this.appMul;
  }

  setMultiplier(m: AppMul | string | null): void {
    this.appMul = resolveMultiplierArg(m);
  }

  /** Codes of a (fake-quantized or raw) NHWC input and of the kernel; the caller disposes them. */
  operandCodes(x: tf.Tensor4D): OperandCodes<tf.Tensor4D> {
    const input = tf.tidy(() => this.quantizedInput(x, false));
    try {
      return operandCodesOf(this.name, this.inputQuantizer, this.kernelQuantizer, input, this.kernel!.read(), 3) as OperandCodes<tf.Tensor4D>;
    } finally {
      input.dispose();
    }
  }

  protected override multiply(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    if (this.countingProbe) {
      return probedProduct(this.countingProbe, super.multiply(inputs, kernel), () => operandCodesOf(this.name, this.inputQuantizer, this.kernelQuantizer, inputs, this.kernel!.read(), 3));
    }
    const m = this.appMul;
    if (m === null) return super.multiply(inputs, kernel);
    if (this.dataFormat !== 'channelsLast') throw new LowbitConfigError(`${this.name}.dataFormat`, this.dataFormat, 'an approximate multiplier needs "channelsLast"');
    if (this.dilationRate.some((d) => d !== 1)) throw new LowbitConfigError(`${this.name}.dilationRate`, this.dilationRate, 'an approximate multiplier needs dilation 1');
    const geometry = { strides: this.strides, padding: this.padding };
    const approx = tf.tidy(() => {
      const { aCodes, wCodes, outputScale } = operandCodesOf(this.name, this.inputQuantizer, this.kernelQuantizer, inputs, this.kernel!.read(), 3);
      checkCodesFit(this.name, m, aCodes, wCodes);
      return tf.mul(appMulConv2d(aCodes as tf.Tensor4D, wCodes as tf.Tensor4D, m, { ...geometry, path: this.appMulPath, checkCodes: false }), scaleTensor(outputScale));
    });
    const ste = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, w]);
      return {
        value: approx.clone(),
        // The exact convolution's gradients: dX by the transposed convolution, dW from the
        // (exact) patches, which avoids Conv2DBackpropFilter (missing on the wasm backend).
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const [kh, kw, cin, cout] = ws.shape;
          const dx = tf.conv2dTranspose(dy as tf.Tensor4D, ws, xs.shape, geometry.strides, geometry.padding);
          const patches = tf.reshape(extractPatches(xs, kh, kw, geometry.strides, geometry.padding), [-1, kh * kw * cin]) as tf.Tensor2D;
          const dw = tf.reshape(tf.matMul(patches, tf.reshape(dy, [-1, cout]) as tf.Tensor2D, true, false), ws.shape);
          return [dx, dw];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const y = ste(inputs, kernel);
    approx.dispose();
    return y;
  }

  override lowbitPrecision(): LayerPrecision {
    const p = super.lowbitPrecision();
    return this.appMul ? { ...p, multiplier: { name: this.appMul.name, energyPj: this.appMul.energyPj } } : p;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), multiplier: this.appMul?.name ?? null, appMulPath: this.appMulPath };
  }
}
tf.serialization.registerClass(LowbitAppMulConv2D);

/** Creates a {@link LowbitAppMulConv2D}. */
export function appMulConv2dLayer(args: AppMulConv2DArgs): LowbitAppMulConv2D {
  return new LowbitAppMulConv2D(args);
}
