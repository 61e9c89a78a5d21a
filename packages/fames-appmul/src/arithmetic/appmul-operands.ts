/**
 * The integer operands of a layer's product as an approximate multiplier takes them: the input
 * and kernel codes from the quantizers (`quantize`, zero points 0: unsigned or symmetric codes),
 * as int32 tensors in the layout the AppMul ops take (dense: `[rows, K]` x `[K, N]`; convolutions:
 * NHWC input, the layer's kernel), and the real value of one unit per output channel,
 * `s_input * s_kernel` (one number, or one per output channel for per-channel kernel scales).
 *
 * ```ts
 * const ops = appMulOperands('fc1', inputQuantizer.quantize(x), kernelQuantizer.quantize(k), layout, m);
 * // ops.input [rows, K] int32, ops.kernel [K, N] int32, ops.scale: Float64Array(1 or N)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  LowbitDataError,
  type ConvGeometry,
  type ProductOperation,
  type QuantizedTensor,
} from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { codeRange } from '../operand.js';

/** Where a product happens: the layer's operation, its geometry and its input shape (layer format). */
export interface ProductLayout {
  operation: ProductOperation;
  geometry: ConvGeometry | null;
  inputShape: number[];
}

export interface AppMulOperands {
  /** Input codes, int32: `[rows, K]` for dense, NHWC `[B, H, W, C]` for convolutions. */
  input: tf.Tensor;
  /** Kernel codes, int32, the kernel's shape. */
  kernel: tf.Tensor;
  /** `s_input * s_kernel`: one entry, or one per output channel. */
  scale: Float64Array;
}

/** True for a convolution whose input is NCHW. */
export function channelsFirst(layout: ProductLayout): boolean {
  return layout.geometry?.dataFormat === 'channelsFirst';
}

/** `s_input * s_kernel` per output channel (or one entry); throws for scales that do not factor. */
export function outputScales(
  layerName: string,
  input: QuantizedTensor,
  kernel: QuantizedTensor,
  operation: ProductOperation,
): Float64Array {
  if (input.scale.length !== 1) {
    throw new LowbitConfigError(
      `${layerName}.inputQuantizer`,
      `${input.scale.length} scales`,
      'an AppMul needs one input scale (per tensor)',
    );
  }
  const s = input.scale[0]!;
  if (kernel.scale.length === 1) return Float64Array.of(kernel.scale[0]! * s);
  const last = kernel.shape.length - 1;
  if (operation !== 'depthwise-conv2d' && kernel.axis === last) return kernel.scale.map((k) => k * s);
  if (operation === 'depthwise-conv2d' && (kernel.axis === 2 || kernel.axis === 3)) {
    // Output channel c * dm + q comes from input channel c and filter q.
    const [, , cin, dm] = kernel.shape as [number, number, number, number];
    const out = new Float64Array(cin * dm);
    for (let c = 0; c < cin; c++)
      for (let q = 0; q < dm; q++) out[c * dm + q] = kernel.scale[kernel.axis === 2 ? c : q]! * s;
    return out;
  }
  throw new LowbitConfigError(
    `${layerName}.kernelQuantizer`,
    `axis ${kernel.axis}`,
    'per-channel kernel scales must be along an output-channel axis (the last; for depthwise, either channel axis)',
  );
}

/** Smallest and largest code. */
function span(codes: Int32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  return [lo, hi];
}

/** Throws a LowbitDataError when codes fall outside the multiplier's operand range. */
export function checkCodesFit(layerName: string, m: AppMul, input: QuantizedTensor, kernel: QuantizedTensor): void {
  for (const [q, spec, which] of [
    [input, m.a, 'input'],
    [kernel, m.w, 'kernel'],
  ] as const) {
    if (q.size === 0) continue;
    const [lo, hi] = codeRange(spec);
    const [mn, mx] = span(q.codes);
    if (mn < lo || mx > hi) {
      const range = `${spec.bits}-bit ${spec.signed ? 'signed' : 'unsigned'} range [${lo}, ${hi}]`;
      throw new LowbitDataError(
        layerName,
        `${which} codes span [${mn}, ${mx}], outside multiplier ${m.name}'s ${range}`,
      );
    }
  }
}

/** Throws unless the codes are linear with zero points of 0 (what an integer multiplier multiplies). */
export function checkLinearCodes(layerName: string, input: QuantizedTensor, kernel: QuantizedTensor): void {
  for (const [q, slot] of [
    [input, 'inputQuantizer'],
    [kernel, 'kernelQuantizer'],
  ] as const) {
    if (q.encoding !== 'linear') {
      throw new LowbitConfigError(
        `${layerName}.${slot}`,
        `${q.encoding} codes`,
        'an AppMul multiplies linear integer codes',
      );
    }
    if (q.zeroPoint.some((z) => z !== 0)) {
      throw new LowbitConfigError(
        `${layerName}.${slot}`,
        'zeroPoint',
        'an AppMul needs zero points of 0 (symmetric or unsigned codes)',
      );
    }
  }
}

/**
 * The operands of one product, checked: linear codes, zero points 0, factoring scales, and (with
 * `m`) codes inside the multiplier's operand ranges. The caller disposes the tensors.
 */
export function appMulOperands(
  layerName: string,
  input: QuantizedTensor,
  kernel: QuantizedTensor,
  layout: ProductLayout,
  m: AppMul | null,
): AppMulOperands {
  checkLinearCodes(layerName, input, kernel);
  const scale = outputScales(layerName, input, kernel, layout.operation);
  if (m !== null) checkCodesFit(layerName, m, input, kernel);
  const kernelCodes = tf.tensor(kernel.codes, kernel.shape, 'int32');
  if (layout.operation === 'dense') {
    const k = kernel.shape[0]!;
    return { input: tf.tensor(input.codes, [input.size / k, k], 'int32'), kernel: kernelCodes, scale };
  }
  const x = tf.tensor(input.codes, layout.inputShape, 'int32');
  if (!channelsFirst(layout)) return { input: x, kernel: kernelCodes, scale };
  const nhwc = tf.transpose(x, [0, 2, 3, 1]);
  x.dispose();
  return { input: nhwc, kernel: kernelCodes, scale };
}
