// docs/guides/log-domain.md: power-of-two weights and activations, and the bit-shift kernel.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { logDense, shiftMatMul, type LowbitLogDense } from '@lowbit/log-domain';

// Activations as base-2 log codes (+-k is +-2^(k-1) units of 2^-3), weights as fixed-point
// codes (units of 2^-2): y = sum_k w_k << e_k, exactly.
const codes = tf.tensor2d([[1, -2, 0, 4]], [1, 4], 'int32');
const fixed = tf.tensor2d([[3], [-7], [5], [0]], [4, 1], 'int32');
export const shifted = shiftMatMul(codes, fixed, { aKind: 'pow2', bKind: 'int', scale: 2 ** -5 }).dataSync()[0]; // 17/32

// A layer with 4-bit log weights and 3-bit log inputs; 'shift' runs the integer kernel in predict().
const model = tfl.sequential({
  layers: [logDense({ inputShape: [16], units: 10, weightBits: 4, activationBits: 3, activationFsr: 2, inferenceArithmetic: 'shift' })],
});
export const precision = (model.layers[0] as LowbitLogDense).lowbitPrecision();
const out = model.predict(tf.randomUniform([2, 16], 0, 2, 'float32', 3)) as tf.Tensor;
export const outputShape = out.shape;
console.log(shifted, precision.weight, outputShape);
tf.dispose([codes, fixed, out]);
model.dispose();
