/**
 * Package-internal helpers of the LUT simulation ops (not exported from the package): the table
 * attributes the LUT kernels take for a multiplier, and the code-range check the ops run first.
 *
 * ```ts
 * checkAppMulCodes(aCodes, wCodes, m); // LowbitDataError naming the span when a code is outside
 * tf.engine().runKernel(APPMUL_MATMUL, { a, w }, lutAttrsOf(m) as unknown as tf.NamedAttrMap);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitDataError } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import type { LutAttrs } from '../kernels/appmul-conv2d.js';
import { codeRange } from '../operand.js';

/** The LUT kernels' table attributes for `m`. */
export function lutAttrsOf(m: AppMul): LutAttrs {
  const [aMin, aMax] = codeRange(m.a);
  const [wMin, wMax] = codeRange(m.w);
  return { table: m.table, bitsA: m.a.bits, bitsW: m.w.bits, aMin, aMax, wMin, wMax };
}

/** Throws a LowbitDataError (source `appMulMatMul`) when `a` or `w` holds a code outside `m`'s ranges. */
export function checkAppMulCodes(a: tf.Tensor, w: tf.Tensor, m: AppMul): void {
  const [aMin, aMax] = codeRange(m.a);
  const [wMin, wMax] = codeRange(m.w);
  checkCodeRange('a', a, aMin, aMax);
  checkCodeRange('w', w, wMin, wMax);
}

function checkCodeRange(name: string, x: tf.Tensor, lo: number, hi: number): void {
  const [min, max] = tf
    .tidy(() => [tf.min(x), tf.max(x)])
    .map((t) => {
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    });
  if (x.size > 0 && (min < lo || max > hi))
    throw new LowbitDataError('appMulMatMul', `${name} codes span [${min}, ${max}], outside [${lo}, ${hi}]`);
}
