/**
 * A layer's product with log-domain accumulation (`logDomainMatMul`): dense directly, conv2d and
 * depthwise conv2d as a matrix product of the input's patches (im2col on the integer codes, zero
 * code for padding) with the reshaped filter. Terms of one output are accumulated in patch order
 * (filter row, filter column, input channel), which matters: a log-domain sum is not associative.
 *
 * ```ts
 * const y = logAccumulateProduct(inputCodes, kernelCodes, layout, 4);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from '../kernels/shift-conv2d.js';
import { logDomainMatMul } from '../log-accumulate.js';
import type { ShiftCodes } from './shift-codes.js';
import { codesTensor, convGeometryOf, inLayerFormat, outputScales, type ProductLayout } from './shift-product.js';

export interface Patches {
  /** [batch * outH * outW, fh * fw * channels] codes, row-major. */
  codes: Int32Array;
  rows: number;
  columns: number;
  outH: number;
  outW: number;
}

/**
 * Patches of NHWC codes for a `fh` x `fw` filter (channels `c0 .. c0 + channels - 1`), with
 * tfjs's output size and padding for `pad`, strides and dilation rates.
 */
export function im2colCodes(
  x: ArrayLike<number>,
  shape: readonly number[],
  filter: { fh: number; fw: number; c0: number; channels: number },
  strides: readonly [number, number],
  dilations: readonly [number, number],
  pad: 'valid' | 'same',
): Patches {
  const [batch, h, w, cin] = shape as [number, number, number, number];
  const { fh, fw, c0, channels } = filter;
  const [rh, rw] = dilations;
  const g = convGeometry(h, w, (fh - 1) * rh + 1, (fw - 1) * rw + 1, strides, pad);
  const columns = fh * fw * channels;
  const rows = batch * g.outH * g.outW;
  const codes = new Int32Array(rows * columns);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * strides[0] + fy * rh - g.padTop;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * strides[1] + fx * rw - g.padLeft;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            const base = ((b * h + iy) * w + ix) * cin + c0;
            for (let c = 0; c < channels; c++) codes[o++] = inside ? x[base + c]! : 0;
          }
        }
      }
    }
  }
  return { codes, rows, columns, outH: g.outH, outW: g.outW };
}

/** The layer's product from integer codes, every output accumulated in the log domain. */
export function logAccumulateProduct(
  input: ShiftCodes,
  kernel: ShiftCodes,
  layout: ProductLayout,
  fracBits: number,
): tf.Tensor {
  const scale = outputScales(input, kernel, layout.operation);
  const options = { aKind: input.kind, bKind: kernel.kind, fracBits };
  if (layout.operation === 'dense') {
    return tf.tidy(() => {
      const [k, n] = kernel.shape as [number, number];
      const y = logDomainMatMul(codesTensor(input, [input.codes.length / k, k]), codesTensor(kernel), {
        ...options,
        scale,
      });
      return tf.reshape(y, [...layout.inputShape.slice(0, -1), n]);
    });
  }
  const g = convGeometryOf(layout);
  const [fh, fw, cin, cout] = kernel.shape as [number, number, number, number];
  return inLayerFormat(input, layout, (x) => {
    const shape = x.shape;
    const values = x.dataSync();
    const patchesOf = (c0: number, channels: number) =>
      im2colCodes(values, shape, { fh, fw, c0, channels }, g.strides, g.dilationRate, g.padding);
    if (layout.operation === 'conv2d') {
      const p = patchesOf(0, cin);
      const a = tf.tensor2d(p.codes, [p.rows, p.columns], 'int32');
      const y = logDomainMatMul(a, codesTensor(kernel, [p.columns, cout]), { ...options, scale });
      return tf.reshape(y, [shape[0]!, p.outH, p.outW, cout]);
    }
    // Depthwise: one matrix product per input channel, outputs in channel order c * multiplier + m.
    const filter = tf.tensor4d(kernel.codes, [fh, fw, cin, cout], 'int32');
    const outputs: tf.Tensor[] = [];
    let outH = 0;
    let outW = 0;
    for (let c = 0; c < cin; c++) {
      const p = patchesOf(c, 1);
      outH = p.outH;
      outW = p.outW;
      const a = tf.tensor2d(p.codes, [p.rows, p.columns], 'int32');
      const f = tf.reshape(tf.slice(filter, [0, 0, c, 0], [-1, -1, 1, -1]), [fh * fw, cout]);
      const s = scale.length === 1 ? scale : scale.slice(c * cout, (c + 1) * cout);
      outputs.push(logDomainMatMul(a, f, { ...options, scale: s }));
    }
    return tf.reshape(tf.concat(outputs, 1), [shape[0]!, outH, outW, cin * cout]);
  });
}
