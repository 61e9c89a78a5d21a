/** Small valid inputs shared by the spec tables (made fresh per call). */
import * as tf from '@tensorflow/tfjs-core';

/** Finite values of every magnitude a quantizer may meet, including float32's extremes. */
export const EXTREME_VALUES = [
  0, -0, 1e-45, -1e-45, 1e-30, 0.3, -0.7, 1, -1, 2.5, 1e30, -1e30, 3.4e38, -3.4e38, 1e-10, 64,
];

export const extremeTensor = (shape: number[] = [16]) => tf.tensor(EXTREME_VALUES, shape, 'float32');
export const nanTensor = (shape: number[]) => {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size).map((_, i) => (i % 3) * 0.25 - 0.25);
  v[0] = NaN;
  return tf.tensor(v, shape, 'float32');
};
export const ramp = (shape: number[], scale = 0.1) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, (_, i) => ((i % 7) - 3) * scale),
    shape,
    'float32',
  );
};

/** Bad tensors for a layer whose input is `shape` (batch first), beyond the generic ones. */
export function layerBadInputs(shape: number[], channelAxis: number) {
  const wrongChannels = [...shape];
  wrongChannels[channelAxis] = (wrongChannels[channelAxis] ?? 1) + 1;
  return [
    { label: 'wrong channel count', args: () => [ramp(wrongChannels)] },
    { label: 'rank one lower', args: () => [ramp(shape.slice(1))] },
    { label: 'rank one higher', args: () => [ramp([1, ...shape])] },
    { label: 'int32 tensor of the right shape', args: () => [tf.zeros(shape, 'int32')] },
    { label: 'empty batch', args: () => [tf.zeros([0, ...shape.slice(1)])] },
    { label: 'two inputs', args: () => [[ramp(shape), ramp(shape)]] },
  ];
}
