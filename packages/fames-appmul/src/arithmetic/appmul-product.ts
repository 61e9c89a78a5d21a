/**
 * A layer's product (no bias or activation) with every scalar product taken through an AppMul:
 * the integer operands ({@link appMulOperands}) through `appMulMatMul` (dense, over the last axis
 * of any rank >= 2 input), `appMulConv2dCodes` or `appMulDepthwiseConv2dCodes` (any strides,
 * padding, dilation, either data format), bit-exact integer sums, then times `s_input * s_kernel`
 * per output channel, in the layer's data format. What `LowbitAppMulArithmetic` computes in the
 * forward pass and in `integerProduct`; no gradient of its own (the arithmetic wraps it in
 * quant-core's `straightThroughProduct`).
 *
 * ```ts
 * const y = appMulProduct('fc1', inputQuantizer.quantize(x), kernelQuantizer.quantize(k), m,
 *   { operation: 'dense', geometry: null, inputShape: x.shape });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { QuantizedTensor } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { appMulConv2dCodes } from '../simulate/appmul-conv2d.js';
import { appMulDepthwiseConv2dCodes } from '../simulate/appmul-depthwise-conv2d.js';
import { appMulMatMul, type AppMulPath } from '../simulate/appmul-matmul.js';
import { appMulOperands, channelsFirst, type ProductLayout } from './appmul-operands.js';

/** `scale` as a float32 tensor broadcasting along the last axis (a scalar for one entry). */
function scaleTensor(scale: Float64Array): tf.Tensor {
  return scale.length === 1 ? tf.scalar(scale[0]!) : tf.tensor1d(Float32Array.from(scale));
}

export function appMulProduct(
  layerName: string,
  input: QuantizedTensor,
  kernel: QuantizedTensor,
  m: AppMul,
  layout: ProductLayout,
  path: AppMulPath = 'auto',
): tf.Tensor {
  return tf.tidy(() => {
    const ops = appMulOperands(layerName, input, kernel, layout, m);
    const options = { path, checkCodes: false };
    if (layout.operation === 'dense') {
      const sums = appMulMatMul(ops.input as tf.Tensor2D, ops.kernel as tf.Tensor2D, m, options);
      const y = tf.mul(sums, scaleTensor(ops.scale));
      return tf.reshape(y, [...layout.inputShape.slice(0, -1), kernel.shape[1]!]);
    }
    const g = layout.geometry!;
    const conv = { ...options, strides: g.strides, padding: g.padding, dilations: g.dilationRate };
    const op = layout.operation === 'conv2d' ? appMulConv2dCodes : appMulDepthwiseConv2dCodes;
    const y = tf.mul(op(ops.input as tf.Tensor4D, ops.kernel as tf.Tensor4D, m, conv), scaleTensor(ops.scale));
    return channelsFirst(layout) ? tf.transpose(y, [0, 3, 1, 2]) : y;
  });
}
