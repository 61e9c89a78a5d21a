/**
 * `layerOperandCodes(layer, x)`: the integer operands of an AppMul layer for the raw input `x`
 * (before its input quantizer), as its multiplier sees them in inference: input codes (dense:
 * `[rows, K]`; convolutions: NHWC), kernel codes, and the scale `s_input * s_kernel` (one number,
 * or one per output channel) that turns sums of code products into outputs. For counting matrices
 * built by hand (`denseCountingMatrix`, `conv2dCountingMatrix`) and for checks. The caller
 * disposes the tensors.
 *
 * ```ts
 * const { aCodes, wCodes, outputScale } = layerOperandCodes(fc, x);
 * const G = denseCountingMatrix(aCodes, wCodes, dLdY, { a, w }, outputScale);
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  LowbitQuantConvLayer,
  LowbitQuantLayer,
  checkTensor,
  type ConvGeometry,
} from '@lowbit/quant-core';
import { appMulOperands } from '../arithmetic/appmul-operands.js';

export interface LayerOperandCodes<T extends tf.Tensor = tf.Tensor> {
  /** Input codes, int32 (dense `[rows, K]`, convolutions NHWC). */
  aCodes: T;
  /** Kernel codes, int32, the kernel's shape. */
  wCodes: T;
  /** `s_input * s_kernel`: one number, or one per output channel. */
  outputScale: number | Float64Array;
}

export function layerOperandCodes<T extends tf.Tensor = tf.Tensor>(
  layer: LowbitQuantLayer,
  x: tf.Tensor,
): LayerOperandCodes<T> {
  if (!(layer instanceof LowbitQuantLayer)) {
    const name = (layer as { name?: unknown } | null)?.name ?? layer;
    throw new LowbitConfigError('layer', name, 'expected a quant-core quantized weight layer (appMulDense, ...)');
  }
  checkTensor('x', x, { dtype: 'float32' });
  if (!layer.built)
    throw new LowbitConfigError('layer', layer.name, 'is not built yet: apply it to an input (or build it) first');
  const { inputQuantizer } = layer;
  if (inputQuantizer === null || layer.kernelQuantizer === null) {
    throw new LowbitConfigError(
      `${layer.name}.inputQuantizer/kernelQuantizer`,
      null,
      'integer operands need both an input and a kernel quantizer',
    );
  }
  const { kernel } = layer.exportQuantized();
  checkInputFits(layer, x, kernel.shape);
  const input = inputQuantizer.quantize(x);
  const geometry: ConvGeometry | null =
    layer instanceof LowbitQuantConvLayer
      ? {
          strides: layer.strides,
          padding: layer.padding,
          dataFormat: layer.dataFormat,
          dilationRate: layer.dilationRate,
        }
      : null;
  const operation = layer.lowbitOperation();
  const ops = appMulOperands(layer.name, input, kernel, { operation, geometry, inputShape: x.shape }, null);
  return {
    aCodes: ops.input as T,
    wCodes: ops.kernel as T,
    outputScale: ops.scale.length === 1 ? ops.scale[0]! : ops.scale,
  };
}

/** Throws unless `x` has the rank and channel count the layer's kernel multiplies. */
function checkInputFits(layer: LowbitQuantLayer, x: tf.Tensor, kernelShape: readonly number[]): void {
  const conv = layer instanceof LowbitQuantConvLayer;
  const channelAxis = conv ? (layer.dataFormat === 'channelsFirst' ? 1 : 3) : x.rank - 1;
  const channels = kernelShape[conv ? 2 : 0];
  const rankOk = conv ? x.rank === 4 : x.rank >= 2;
  if (!rankOk || x.shape[channelAxis] !== channels) {
    const expected = conv
      ? `rank 4 with ${channels} channels on axis ${channelAxis}`
      : `rank >= 2 with ${channels} features last`;
    throw new LowbitConfigError('x', x.shape, `expected ${expected} for layer ${layer.name}`);
  }
}
