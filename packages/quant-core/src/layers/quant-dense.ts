/**
 * `LowbitQuantDense` (`quantDense`): tfjs's Dense with optional kernel and input quantizers.
 * Same arguments and defaults as `tf.layers.dense`; with no quantizer it computes exactly what
 * `tf.layers.dense` computes (same fused matmul), so float Dense weights load into it.
 *
 * ```ts
 * const layer = quantDense({
 *   units: 10,
 *   activation: 'relu',
 *   kernelQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } },
 * });
 * const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), layer] });
 * layer.lowbitPrecision(); // { weight: { kind: 'int', bits: 4, signed: true }, input: float32 }
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core.js';
import { LowbitConfigError } from '../errors.js';
import { checkInteger, checkOneOf, checkTensor } from '../validate.js';
import { checkLayerInput } from './check-input.js';
import { fusedActivationOf } from './layer-utils.js';
import { LowbitQuantLayer, type QuantizerArgs } from './quant-layer.js';

export type QuantDenseArgs = DenseLayerArgs & QuantizerArgs;

export class LowbitQuantDense extends LowbitQuantLayer {
  static className = 'LowbitQuantDense';

  constructor(args: QuantDenseArgs) {
    super(denseBaseArgs(args), (rest) => tfl.layers.dense(rest as unknown as DenseLayerArgs), ['inputDim']);
  }

  get units(): number {
    return this.ref<number>('units');
  }

  lowbitOperation(): 'dense' {
    return 'dense';
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputLastDim = shape[shape.length - 1] as number;
    if (inputLastDim == null || inputLastDim < 1)
      throw new LowbitConfigError(`${this.name}.inputShape`, shape, 'the last dimension of the input must be defined');
    this.buildWeights('kernel', [inputLastDim, this.units], 'kernel', this.units, shape, [
      ...shape.slice(0, -1),
      this.units,
    ]);
    this.inputSpec = [{ minNDim: 2, axes: { [-1]: inputLastDim } }];
  }

  protected checkInput(x: tf.Tensor): void {
    checkLayerInput(this.name, x, { minRank: 2, channelAxis: -1, channels: this.kernel?.shape[0] ?? null });
  }

  /** `inputs . kernel` over the last axis of `inputs` (any rank >= 2). */
  protected exactProduct(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    return denseProduct(inputs, kernel, null, 'linear');
  }

  protected stockForward(inputs: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    const fused = fusedActivationOf(this.activationFn);
    if (fused !== null) return denseProduct(inputs, kernel, bias, fused);
    let y = denseProduct(inputs, kernel, null, 'linear');
    if (bias) y = this.addBias(y, bias);
    return this.activationFn.apply(y);
  }

  protected addBias(product: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return tf.add(product, bias);
  }
}
tf.serialization.registerClass(LowbitQuantDense);

/** Creates a {@link LowbitQuantDense}: `tf.layers.dense` plus lowbit's parts. */
export function quantDense(args: QuantDenseArgs): LowbitQuantDense {
  return new LowbitQuantDense(args);
}

/** tfjs's Dense accepts `inputDim` as a shorthand for the input shape. */
function denseBaseArgs(args: QuantDenseArgs): QuantDenseArgs {
  if (args === null || typeof args !== 'object') return args;
  checkInteger('quantDense.units', args.units, 1, Number.MAX_SAFE_INTEGER);
  if (args.batchInputShape == null && args.inputShape == null && args.inputDim != null) {
    return { ...args, batchInputShape: [args.batchSize ?? null, args.inputDim] };
  }
  return args;
}

/**
 * The product tfjs-layers' Dense computes (its `K.dot`): a fused matmul for rank 2, inputs of
 * higher rank flattened to 2-D and reshaped back.
 */
export function denseProduct(
  a: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  activation: 'linear' | 'relu' | 'elu',
): tf.Tensor {
  checkTensor('a', a, { dtype: 'float32', minRank: 2 });
  checkTensor('kernel', kernel, { dtype: 'float32', rank: 2 });
  if (a.shape[a.rank - 1] !== kernel.shape[0]) {
    throw new LowbitConfigError(
      'kernel.shape',
      kernel.shape,
      `expected ${a.shape[a.rank - 1]} rows (the last axis of a)`,
    );
  }
  if (bias !== null) {
    checkTensor('bias', bias, { dtype: 'float32', rank: 1 });
    if (bias.shape[0] !== kernel.shape[1])
      throw new LowbitConfigError('bias.shape', bias.shape, `expected [${kernel.shape[1]}]`);
  }
  checkOneOf('activation', activation, ['linear', 'relu', 'elu']);
  if (a.rank === 2) {
    return tf.fused.matMul({ a: a as tf.Tensor2D, b: kernel as tf.Tensor2D, bias: bias ?? undefined, activation });
  }
  const firstDims = a.shape.slice(0, -1);
  const lastDim = a.shape[a.shape.length - 1] as number;
  const a2 = tf.reshape(a, [-1, lastDim]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: a2, b: kernel as tf.Tensor2D, bias: bias ?? undefined, activation });
  return tf.reshape(y, [...firstDims, kernel.shape[1] as number]);
}
