/**
 * `shiftDepthwiseConv2d(x, filter, options)`: a depthwise 2-D convolution of int32 code tensors
 * (NHWC input [B, H, W, Cin], filter [fh, fw, Cin, multiplier]) with shifts and adds: one
 * `shiftConv2d` per input channel (input channel `c` with filter `[:, :, c, :]`), outputs in
 * tf.depthwiseConv2d's channel order `c * multiplier + m`. `scale` is one number or one per output
 * channel (Cin * multiplier).
 *
 * ```ts
 * const y = shiftDepthwiseConv2d(xCodes, wCodes, { xKind: 'pow2', filterKind: 'pow2', pad: 'same', scale: 2 ** -8 });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkObject, LowbitConfigError } from '@lowbit/quant-core';
import { shiftConv2d, type ShiftConv2DOptions } from './shift-conv2d.js';
import { checkInt32, checkScale } from './shift-options.js';

export type ShiftDepthwiseConv2DOptions = ShiftConv2DOptions;

export function shiftDepthwiseConv2d(
  x: tf.Tensor,
  filter: tf.Tensor,
  options: ShiftDepthwiseConv2DOptions,
): tf.Tensor4D {
  checkInt32('x', x, 4);
  checkInt32('filter', filter, 4);
  checkObject('options', options, '{ xKind, filterKind, strides?, pad?, dilations?, scale? }');
  const [, , cin, multiplier] = filter.shape as number[];
  if (x.shape[3] !== cin) {
    throw new LowbitConfigError(
      'filter',
      filter,
      `expected ${x.shape[3]} input channels (filter.shape[2]) to match x (shape [${x.shape}])`,
    );
  }
  const scale = checkScale(options?.scale, cin * multiplier);
  const parts: tf.Tensor4D[] = [];
  try {
    for (let c = 0; c < cin; c++) {
      const xc = tf.slice(x, [0, 0, 0, c], [-1, -1, -1, 1]);
      const fc = tf.slice(filter, [0, 0, c, 0], [-1, -1, 1, -1]);
      const s = scale.length === 1 ? scale : scale.slice(c * multiplier, (c + 1) * multiplier);
      try {
        parts.push(shiftConv2d(xc, fc, { ...options, scale: s }));
      } finally {
        tf.dispose([xc, fc]);
      }
    }
    return parts.length === 1 ? parts.pop()! : tf.concat4d(parts, 3);
  } finally {
    tf.dispose(parts);
  }
}
