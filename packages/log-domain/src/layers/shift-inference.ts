/**
 * Turns the integer export of a layer's quantizers (`Quantizer.quantize` -> `QuantizedTensor`)
 * into operands of the shift kernels: int32 code tensors, their code kind and the real value of
 * one unit. Shared by `LowbitLogDense` and `LowbitLogConv2D`.
 *
 * ```ts
 * const x = shiftOperandOf(inputQuantizer.quantize(input), 'input');
 * const w = shiftOperandOf(kernelQuantizer.quantize(kernel), 'kernel');
 * shiftMatMul(x.codes, w.codes, { aKind: x.kind, bKind: w.kind, scale: productScale(x, w) });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, type QuantizedTensor, type Quantizer } from '@lowbit/quant-core';
import { shiftKindOf, type ShiftOperandKind } from '../shift-operand.js';

export interface ShiftOperand {
  codes: tf.Tensor;
  kind: ShiftOperandKind;
  /** Real value of one unit: one entry, or one per output channel (kernel only). */
  scale: number[];
}

/**
 * The codes as an int32 tensor with their kind and unit. Inputs need one scale for the whole
 * tensor; kernels may have one per output channel (the last axis).
 */
export function shiftOperandOf(q: QuantizedTensor, role: 'input' | 'kernel'): ShiftOperand {
  const kind = shiftKindOf(q);
  const perChannel = q.axis !== undefined && q.scale.length > 1;
  if (perChannel && (role === 'input' || q.axis !== q.shape.length - 1)) {
    throw new LowbitConfigError(`${role} quantizer axis`, q.axis, role === 'input' ? 'shift inference needs one scale for the whole input' : 'per-channel kernel scales must be along the last (output) axis');
  }
  return { codes: tf.tensor(q.codes, q.shape, 'int32'), kind, scale: perChannel ? Array.from(q.scale) : [q.scale[0]] };
}

/** Real value of one unit of the product: input unit times kernel unit (per output channel). */
export function productScale(input: ShiftOperand, kernel: ShiftOperand): number[] {
  return kernel.scale.map((s) => s * input.scale[0]);
}

/** What shift inference needs from a log layer: both quantizers and a built kernel, returned non-null. */
export function shiftReady<K extends { read(): tf.Tensor }>(
  layer: string,
  inputQuantizer: Quantizer | null,
  kernelQuantizer: Quantizer | null,
  kernel: K | null | undefined,
): { inputQuantizer: Quantizer; kernelQuantizer: Quantizer; kernel: K } {
  if (inputQuantizer === null || kernelQuantizer === null) {
    throw new LowbitConfigError(`${layer}.${inputQuantizer === null ? 'inputQuantizer' : 'kernelQuantizer'}`, null, 'shift inference needs both an input and a kernel quantizer');
  }
  if (kernel == null) throw new LowbitConfigError(`${layer}.kernel`, null, 'the layer must be built (called on an input) first');
  return { inputQuantizer, kernelQuantizer, kernel };
}
