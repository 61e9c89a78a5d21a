/**
 * Package-internal helpers of the LUT simulation ops (not exported from the package): the table
 * attributes the LUT kernels take for a multiplier, the multiplier check and the code-range check
 * the ops run first (once per call).
 *
 * ```ts
 * checkAppMul('m', m);     // LowbitConfigError naming m unless an AppMul
 * checkAppMulCodes(aCodes, wCodes, m); // LowbitDataError naming the operand when a code is outside
 * tf.engine().runKernel(APPMUL_MATMUL, { a, w }, lutAttrsOf(m) as unknown as tf.NamedAttrMap);
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core';
import { AppMul } from '../appmul.js';
import type { LutAttrs } from '../kernels/appmul-conv2d.js';
import { checkCodeTensor } from '../kernels/check-codes.js';
import { codeRange } from '../operand.js';

/** `m`, when it is an AppMul; else a LowbitConfigError naming `argument`. */
export function checkAppMul(argument: string, m: unknown): AppMul {
  if (!(m instanceof AppMul))
    throw new LowbitConfigError(argument, m, "expected an AppMul (a family factory's result or resolveAppMul(name))");
  return m;
}

/** The LUT kernels' table attributes for `m`. */
export function lutAttrsOf(m: AppMul): LutAttrs {
  const [aMin, aMax] = codeRange(m.a);
  const [wMin, wMax] = codeRange(m.w);
  return { table: m.table, bitsA: m.a.bits, bitsW: m.w.bits, aMin, aMax, wMin, wMax };
}

/**
 * Throws a LowbitDataError (`source`, default `appMulMatMul`) when `a` or `w` holds a code that
 * is not an integer in `m`'s ranges (NaN included). `names` are the operands' argument names.
 */
export function checkAppMulCodes(
  a: tf.Tensor,
  w: tf.Tensor,
  m: AppMul,
  source = 'appMulMatMul',
  names: [string, string] = ['a', 'w'],
): void {
  const [aMin, aMax] = codeRange(m.a);
  const [wMin, wMax] = codeRange(m.w);
  checkCodeTensor(source, names[0], a, aMin, aMax);
  checkCodeTensor(source, names[1], w, wMin, wMax);
}
