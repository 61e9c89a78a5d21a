/**
 * `LowbitCountingArithmetic`: what `countingMatricesOf` installs (with `setArithmetic`) in each
 * AppMul layer for the counting pass, then takes out again. It computes the EXACT product (the
 * layer's own `exact`, so the counting matrices are measured at the exact multiplier), records
 * the operand codes the first time it runs, and adds `probe` (a zero variable of the product's
 * shape) once one is set, so that the gradient of the loss with respect to the probe is
 * dL/d(product). Not registered: it is never saved.
 *
 * ```ts
 * const counting = new LowbitCountingArithmetic();
 * layer.setArithmetic(counting);
 * model.apply(x);                       // records counting.codes and counting.productShape
 * counting.probe = tf.variable(tf.zeros(counting.productShape!));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Arithmetic,
  LowbitExactArithmetic,
  type ArithmeticCost,
  type IntegerProductContext,
  type ProductContext,
  type ProductParts,
  type QuantizedTensor,
} from '@lowbit/quant-core';
import type { ProductLayout } from './appmul-operands.js';
import { checkAppMulParts } from './appmul-arithmetic.js';

/** The operand codes of one product, as the counting pass recorded them. */
export interface RecordedOperands {
  input: QuantizedTensor;
  kernel: QuantizedTensor;
  layout: ProductLayout;
}

export class LowbitCountingArithmetic extends Arithmetic {
  static className = 'LowbitCountingArithmetic';
  /** The codes of the first product computed (null until then). */
  codes: RecordedOperands | null = null;
  /** Shape of that product (the layer's data format). */
  productShape: number[] | null = null;
  /** Added to every product once set (never disposed here). */
  probe: tf.Variable | null = null;

  override validate(parts: ProductParts): void {
    checkAppMulParts(parts, this, null);
  }

  product(ctx: ProductContext): tf.Tensor {
    const y = ctx.exact(ctx.input, ctx.kernel);
    if (this.codes === null) {
      this.codes = {
        input: ctx.inputQuantizer!.quantize(ctx.input),
        kernel: ctx.kernelQuantizer!.quantize(ctx.rawKernel),
        layout: { operation: ctx.operation, geometry: ctx.geometry, inputShape: ctx.input.shape },
      };
      this.productShape = y.shape;
    }
    return this.probe ? tf.add(y, this.probe) : y;
  }

  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    return new LowbitExactArithmetic().integerProduct(input, kernel, ctx);
  }

  cost(): ArithmeticCost {
    return { multiply: 'exact', name: 'exact' };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
