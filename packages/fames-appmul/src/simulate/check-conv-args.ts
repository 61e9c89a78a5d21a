/**
 * Package-internal (not exported from the package): the argument check `appMulConv2dCodes` and
 * `appMulDepthwiseConv2dCodes` run once per call, before any work.
 *
 * ```ts
 * checkConvArgs(x, w, m, options); // LowbitConfigError naming x, w, m or options.<key>
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  LowbitConfigError,
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkTensor,
} from '@lowbit/quant-core';
import type { AppMulConv2dOptions } from './appmul-conv2d.js';
import { checkAppMul } from './lut-codes.js';

/** The option names of both conv ops. */
const CONV_OPTION_KEYS = ['strides', 'padding', 'dilations', 'patches', 'path', 'maxRank', 'checkCodes'];

/**
 * What the conv ops check once per call, before any work: `x` and `w` rank-4 tensors of codes with
 * matching input channels, `m` an AppMul, the options (unknown keys rejected). LowbitConfigError
 * naming the argument.
 */
export function checkConvArgs(x: unknown, w: unknown, m: unknown, options: unknown): void {
  checkTensor('x', x, { rank: 4, dtype: ['int32', 'float32'] });
  checkTensor('w', w, { rank: 4, dtype: ['int32', 'float32'] });
  checkAppMul('m', m);
  checkKnownKeys('options', options as object, CONV_OPTION_KEYS);
  const o = options as AppMulConv2dOptions;
  checkOneOf('patches', o.patches ?? 'auto', ['auto', 'kernel', 'composed']);
  checkInteger('maxRank', o.maxRank ?? 8, 0, 256);
  checkBoolean('checkCodes', o.checkCodes ?? true);
  const xs = (x as tf.Tensor).shape;
  const ws = (w as tf.Tensor).shape;
  if (xs[3] !== ws[2]) throw new LowbitConfigError('w', w, `expected ${xs[3]} input channels to match x`);
}
