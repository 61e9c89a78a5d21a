/**
 * What the log-domain arithmetics share: in training the layer's exact product of the
 * fake-quantized operands (tfjs's fused stock path, so training is what it is with the exact
 * arithmetic); in inference the product computed on integer codes (`run`), wrapped in quant-core's
 * `straightThroughProduct` so a gradient taken in inference mode is still the exact product's;
 * `integerProduct` runs the same on exported codes. `validate` checks the operand kinds.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  Arithmetic,
  incompatibleParts,
  straightThroughProduct,
  type IntegerProductContext,
  type OperandKind,
  type ProductContext,
  type ProductParts,
  type QuantizedTensor,
} from '@lowbit/quant-core';
import { inputCodesOf, shiftCodesOf, type ShiftCodes } from './shift-codes.js';
import type { ProductLayout } from './shift-product.js';

export abstract class CodeArithmetic extends Arithmetic {
  /** Operand kinds (quantizer `precision().kind`) the kernel side accepts. */
  protected abstract readonly kernelKinds: readonly OperandKind[];
  /** Operand kinds the input side accepts. */
  protected abstract readonly inputKinds: readonly OperandKind[];
  /** What the arithmetic is, for error messages ("shift products"). */
  protected abstract readonly what: string;

  /** The product (no bias or activation) of integer codes, in the layer's data format. */
  protected abstract run(input: ShiftCodes, kernel: ShiftCodes, layout: ProductLayout): tf.Tensor;

  override validate(parts: ProductParts): void {
    const slots = [
      ['kernelQuantizer', this.kernelKinds],
      ['inputQuantizer', this.inputKinds],
    ] as const;
    for (const [slot, kinds] of slots) {
      const kind = parts[slot]?.precision().kind ?? null;
      if (kind === null || !kinds.includes(kind)) {
        const got = kind === null ? 'none (float operand)' : `${kind} codes`;
        const side = slot === 'kernelQuantizer' ? 'kernel' : 'input';
        throw incompatibleParts(parts, this, slot, `${this.what} need ${kinds.join(' or ')} ${side} codes, got ${got}`);
      }
    }
  }

  product(ctx: ProductContext): tf.Tensor | null {
    if (ctx.training) return null;
    const inputQuantizer = ctx.inputQuantizer!;
    const kernelQuantizer = ctx.kernelQuantizer!;
    return straightThroughProduct(ctx, () => {
      const input = inputCodesOf(inputQuantizer, ctx.input);
      const kernel = shiftCodesOf(kernelQuantizer.quantize(ctx.rawKernel), 'kernel');
      return this.run(input, kernel, { operation: ctx.operation, geometry: ctx.geometry, inputShape: ctx.input.shape });
    });
  }

  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    const layout = { operation: ctx.operation, geometry: ctx.geometry, inputShape: ctx.inputShape };
    return this.run(shiftCodesOf(input, 'input'), shiftCodesOf(kernel, 'kernel'), layout);
  }
}
