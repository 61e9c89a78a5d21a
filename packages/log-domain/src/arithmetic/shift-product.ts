/**
 * A layer's product computed with the shift ops on integer codes: dense (`shiftMatMul` over the
 * last axis), conv2d (`shiftConv2d`) and depthwise conv2d (`shiftDepthwiseConv2d`), in the
 * layer's data format, with per-output-channel scales. What `LowbitShiftArithmetic` runs in
 * inference and in `integerProduct`; the layouts and scales are shared with log-domain
 * accumulation (`log-accumulate-product.ts`).
 *
 * ```ts
 * const y = shiftProduct(inputCodes, kernelCodes, { operation: 'dense', geometry: null, inputShape: [2, 16] });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, type ConvGeometry, type ProductOperation } from '@lowbit/quant-core';
import { shiftConv2d } from '../ops/shift-conv2d.js';
import { shiftDepthwiseConv2d } from '../ops/shift-depthwise-conv2d.js';
import { shiftMatMul } from '../ops/shift-matmul.js';
import type { ShiftCodes } from './shift-codes.js';

/** Where the product happens: the layer's operation, geometry and input shape (layer data format). */
export interface ProductLayout {
  operation: ProductOperation;
  geometry: ConvGeometry | null;
  inputShape: number[];
}

/**
 * Real value of one unit of each output channel: input unit times kernel unit. Kernel scales may
 * be per tensor or per channel along an axis that maps to output channels (the last axis; for
 * depthwise also the input-channel axis, each channel feeding `multiplier` outputs).
 */
export function outputScales(input: ShiftCodes, kernel: ShiftCodes, operation: ProductOperation): number[] {
  const s = input.scale[0]!;
  if (kernel.scale.length === 1) return [kernel.scale[0]! * s];
  const last = kernel.shape.length - 1;
  if (kernel.axis === last && operation !== 'depthwise-conv2d') return kernel.scale.map((k) => k * s);
  if (operation === 'depthwise-conv2d' && (kernel.axis === 2 || kernel.axis === 3)) {
    const [, , cin, multiplier] = kernel.shape as [number, number, number, number];
    const out: number[] = [];
    for (let c = 0; c < cin; c++) {
      for (let m = 0; m < multiplier; m++) out.push(kernel.scale[kernel.axis === 2 ? c : m]! * s);
    }
    return out;
  }
  throw new LowbitConfigError(
    'kernelQuantizer axis',
    kernel.axis,
    'per-channel kernel scales must be along an output-channel axis',
  );
}

/** The int32 tensor of a shift operand's codes. */
export function codesTensor(codes: ShiftCodes, shape: number[] = codes.shape): tf.Tensor {
  return tf.tensor(codes.codes, shape, 'int32');
}

/** The geometry of a convolution layer (throws for dense). */
export function convGeometryOf(layout: ProductLayout): ConvGeometry {
  if (layout.geometry === null) {
    throw new LowbitConfigError('geometry', null, `a ${layout.operation} product needs the convolution geometry`);
  }
  return layout.geometry;
}

/** Runs `nhwc` on the NHWC input codes and returns its result in the layer's data format. */
export function inLayerFormat(input: ShiftCodes, layout: ProductLayout, nhwc: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const channelsFirst = convGeometryOf(layout).dataFormat === 'channelsFirst';
    const x = codesTensor(input, layout.inputShape);
    const y = nhwc(channelsFirst ? tf.transpose(x, [0, 2, 3, 1]) : x);
    return channelsFirst ? tf.transpose(y, [0, 3, 1, 2]) : y;
  });
}

/** The layer's product (no bias or activation) from integer codes, with shifts and adds. */
export function shiftProduct(input: ShiftCodes, kernel: ShiftCodes, layout: ProductLayout): tf.Tensor {
  const scale = outputScales(input, kernel, layout.operation);
  if (layout.operation === 'dense') {
    return tf.tidy(() => {
      const k = kernel.shape[0]!;
      const n = kernel.shape[1]!;
      const x = codesTensor(input, [input.codes.length / k, k]);
      const y = shiftMatMul(x, codesTensor(kernel), { aKind: input.kind, bKind: kernel.kind, scale });
      return tf.reshape(y, [...layout.inputShape.slice(0, -1), n]);
    });
  }
  const g = convGeometryOf(layout);
  const options = {
    xKind: input.kind,
    filterKind: kernel.kind,
    strides: g.strides,
    pad: g.padding,
    dilations: g.dilationRate,
    scale,
  };
  const op = layout.operation === 'conv2d' ? shiftConv2d : shiftDepthwiseConv2d;
  return inLayerFormat(input, layout, (x) => tf.tidy(() => op(x, codesTensor(kernel), options)));
}
