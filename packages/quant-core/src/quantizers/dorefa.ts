/**
 * `LowbitDorefaQuantizer` (alias `'dorefa'`): the weight and activation quantizers of DoReFa-Net
 * (Zhou et al., arXiv 1606.06160). With `quantize_k(r) = round((2^k - 1) r) / (2^k - 1)`:
 *
 * Weights (`mode: 'weight'`, default), k bits:
 *   forward  `t = tanh(w)`, `r = t / (2 max|t|) + 1/2` (in [0, 1]), `w_q = 2 quantize_k(r) - 1`,
 *            computed as `(2q - n) / n` with `q = round(n r)`, `n = 2^k - 1`;
 *            k = 1 is `sign(w) * mean|w|`.
 *   backward straight-through the rounding only: the gradient flows through tanh and the
 *            normalisation (including the max) as ordinary autodiff, as in the paper.
 * Activations (`mode: 'activation'`), k bits: `quantize_k(clip(a, 0, 1))`, gradient `dy` where
 *   `0 <= a <= 1`, 0 outside.
 *
 * Integer export of k-bit weights: the levels are the odd multiples `(2q - n) / n`, so the codes
 * `2q - n` need k + 1 bits in the linear `QuantizedTensor` encoding (which has integer zero points);
 * `precision()` reports the k bits hardware stores (q itself).
 *
 * ```ts
 * const q = new LowbitDorefaQuantizer({ bits: 2 });
 * q.call(tf.tensor([-2, -0.1, 0.1, 2])); // [-1, -1/3, 1/3, 1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantAffine, quantizeAffine } from '../ops/fake-quant-affine.js';
import { roundSte, straightThrough } from '../ops/ste.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { checkOneOf } from '../validate.js';
import {
  checkBits,
  checkCallOptions,
  checkConfig,
  checkFloatTensor,
  maskedSte,
  quantizeSignTimesMeanAbs,
  signTimesMeanAbs,
} from './common.js';
import type { QuantizerMode } from './wrpn.js';

export interface DorefaQuantizerConfig {
  /** Bits per value, 1..24 (default 4). */
  bits?: number;
  /** `'weight'` (default) or `'activation'`. */
  mode?: QuantizerMode;
}

export class LowbitDorefaQuantizer extends Quantizer {
  static className = 'LowbitDorefaQuantizer';
  readonly bits: number;
  readonly mode: QuantizerMode;

  constructor(config: DorefaQuantizerConfig = {}) {
    super();
    const c = checkConfig<DorefaQuantizerConfig>('LowbitDorefaQuantizer', config, ['bits', 'mode']);
    this.mode = checkOneOf('mode', c.mode ?? 'weight', ['weight', 'activation'] as const);
    this.bits = checkBits(c.bits ?? 4);
  }

  private get levels(): number {
    return 2 ** this.bits - 1;
  }

  /** `r = tanh(w) / (2 max|tanh w|) + 1/2` (differentiable); all-zero w gives 1/2. */
  private normalise(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const t = tf.tanh(w);
      const m = tf.maximum(tf.max(tf.abs(t)), 1e-30);
      return tf.add(tf.div(t, tf.mul(m, 2)), 0.5);
    });
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    const n = this.levels;
    if (this.mode === 'activation')
      return maskedSte(x, (t) => fakeQuantAffine(t, { inverseScale: n, qmin: 0, qmax: n }), 0, 1);
    if (this.bits === 1) return straightThrough(x, signTimesMeanAbs);
    return tf.tidy(() => {
      const q = tf.clipByValue(roundSte(tf.mul(this.normalise(x), n)), 0, n);
      return tf.div(tf.sub(tf.mul(q, 2), n), n);
    });
  }

  precision(): OperandPrecision {
    if (this.mode === 'activation')
      return { kind: this.bits === 1 ? 'zero-one' : 'int', bits: this.bits, signed: false };
    if (this.bits === 1) return { kind: 'binary', bits: 1, signed: true };
    return { kind: 'int', bits: this.bits, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const n = this.levels;
    if (this.mode === 'activation')
      return quantizeAffine(x, { inverseScale: n, qmin: 0, qmax: n }, { bits: this.bits, signed: false });
    if (this.bits === 1) return quantizeSignTimesMeanAbs(x);
    const r = tf.tidy(() => this.normalise(x));
    const q = quantizeAffine(r, { inverseScale: n, qmin: 0, qmax: n }, { bits: this.bits, signed: false });
    r.dispose();
    const codes = q.codes.map((c) => 2 * c - n);
    return new QuantizedTensor({ codes, shape: [...x.shape], bits: this.bits + 1, signed: true, scale: [1 / n] });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, mode: this.mode };
  }
}

registerQuantizer(LowbitDorefaQuantizer, ['dorefa']);
