// docs/guides/log-domain.md: power-of-two weights and activations, and the bit-shift kernel.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LowbitQuantDense } from '@lowbit/quant-core';
import { logDense, shiftMatMul } from '@lowbit/log-domain';

// Activations as base-2 log codes (+-k is +-2^(k-1) units of 2^-3), weights as fixed-point
// codes (units of 2^-2): y = sum_k w_k << e_k, exactly.
const codes = tf.tensor2d([[1, -2, 0, 4]], [1, 4], 'int32');
const fixed = tf.tensor2d([[3], [-7], [5], [0]], [4, 1], 'int32');
const product = shiftMatMul(codes, fixed, { aKind: 'pow2', bKind: 'int', scale: 2 ** -5 });
export const shifted = product.dataSync()[0]; // 17/32

// quant-core's dense layer with 4-bit log weights and 3-bit log inputs; the 'shift' arithmetic runs
// the integer kernel in predict() (training runs the exact product of the quantized values).
const model = tfl.sequential({
  layers: [logDense({ inputShape: [16], units: 10, weightBits: 4, inputBits: 3, inputFsr: 2, arithmetic: 'shift' })],
});
export const precision = (model.layers[0] as LowbitQuantDense).lowbitPrecision();
const out = model.predict(tf.randomUniform([2, 16], 0, 2, 'float32', 3)) as tf.Tensor;
export const outputShape = out.shape;
console.log(shifted, precision.weight, precision.arithmetic, outputShape);
tf.dispose([codes, fixed, product, out]);
model.dispose();
