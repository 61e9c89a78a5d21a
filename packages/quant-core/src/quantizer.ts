/**
 * The `Quantizer` base class: a serializable object that fake-quantizes a tensor in the forward
 * pass and defines a pseudo-gradient for the backward pass (usually a straight-through estimator).
 *
 * A quantizer is used by a layer (`kernelQuantizer`, `inputQuantizer`) or directly:
 *
 * ```ts
 * import { getQuantizer } from '@lowbit/quant-core';
 * const q = getQuantizer('wrpn');            // by alias, default settings
 * const y = q.call(tf.tensor([0.3, -2]));     // fake-quantized values, STE gradient
 * q.precision();                              // what hw-model costs it as
 * ```
 *
 * Quantizers that keep state (EMA ranges, learned step sizes) create it in {@link Quantizer.build}
 * through the host layer's `addWeight`, so the state is saved and loaded with the model.
 */
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import type { OperandPrecision } from './precision.js';
import type { QuantizedTensor } from './quantized-tensor.js';

/** A variable created for a quantizer by its host layer (a tfjs `LayerVariable`). */
export interface QuantizerVariable {
  read(): Tensor;
  write(value: Tensor): unknown;
  readonly name: string;
}

/** What a quantizer needs from the layer that hosts it: tfjs-layers' `Layer.addWeight`. */
export interface QuantizerHost {
  addWeight(
    name: string,
    shape: number[],
    dtype?: 'float32',
    initializer?: unknown,
    regularizer?: unknown,
    trainable?: boolean,
  ): QuantizerVariable;
}

export interface QuantizerCallOptions {
  /** True inside `model.fit` / training steps (EMA updates, stochastic rounding). */
  training?: boolean;
}

export abstract class Quantizer extends serialization.Serializable {
  /**
   * Creates the quantizer's state, if any, on the host layer. Called once by the host layer's
   * `build` with the shape of the tensor this quantizer will see. The default has no state.
   */
  build(_shape: number[], _host?: QuantizerHost, _prefix?: string): void {}

  /** Fake-quantizes `x`: returns float values on the quantization grid, with the pseudo-gradient. */
  abstract call(x: Tensor, options?: QuantizerCallOptions): Tensor;

  /** How the quantized values are represented in hardware (read by `@lowbit/hw-model`). */
  abstract precision(): OperandPrecision;

  /**
   * As a kernel quantizer: the accumulator width the layer's sums need for inputs of precision
   * `input`, when this quantizer fixes it (WAGE derives it from the fan-in after `build`);
   * undefined lets hw-model choose.
   */
  accumulatorBits?(input: OperandPrecision): number | undefined;

  /**
   * Integer export: the codes and scales hardware would store for `x`, such that
   * `quantize(x).dequantize()` equals `call(x)` (inference mode). Quantizers that cannot export
   * integer codes (float) throw.
   */
  abstract quantize(x: Tensor): QuantizedTensor;

  abstract override getConfig(): serialization.ConfigDict;
}

/** A quantizer class as the registry stores it. */
export interface QuantizerClass<T extends Quantizer = Quantizer> {
  new (config?: never): T;
  readonly className: string;
  fromConfig<S extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<S>,
    config: serialization.ConfigDict,
  ): S;
}
