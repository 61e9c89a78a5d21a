/**
 * `LowbitTernaryQuantizer` (alias `'ternary'`): Ternary Weight Networks (Li, Zhang, Liu 2016).
 * - threshold `delta = t * mean|w|` (t = `threshold`, default 0.7);
 * - codes `+1` where `w > delta`, `-1` where `w < -delta`, else 0;
 * - scale `alpha = mean |w|` over the elements with `|w| > delta` (1 when there are none);
 * - forward `alpha * code`; backward straight-through (identity) to the float weight.
 * Integer export: the ternary codes and alpha. `precision()` is `ternary`, 2 bits.
 *
 * ```ts
 * new LowbitTernaryQuantizer().call(tf.tensor([-1, -0.1, 0.05, 0.9])); // delta 0.36: [-0.95, 0, 0, 0.95]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { straightThrough } from '../ops/ste.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { checkFinite } from '../validate.js';
import { checkCallOptions, checkConfig, checkFloatTensor } from './common.js';

export interface TernaryQuantizerConfig {
  /** Threshold factor t in (0, 10]: delta = t * mean|w| (default 0.7, TWN's choice). */
  threshold?: number;
}

export class LowbitTernaryQuantizer extends Quantizer {
  static className = 'LowbitTernaryQuantizer';
  readonly threshold: number;

  constructor(config: TernaryQuantizerConfig = {}) {
    super();
    const c = checkConfig<TernaryQuantizerConfig>('LowbitTernaryQuantizer', config, ['threshold']);
    this.threshold = checkFinite('threshold', c.threshold ?? 0.7, { min: 0, max: 10, exclusiveMin: true });
  }

  /** Ternary codes (float tensor) and the scale alpha (scalar tensor). */
  private ternarise(x: tf.Tensor): { codes: tf.Tensor; alpha: tf.Tensor } {
    return tf.tidy(() => {
      const a = tf.abs(x);
      const delta = tf.mul(tf.mean(a), this.threshold);
      const above = tf.cast(tf.greater(a, delta), 'float32');
      const count = tf.sum(above);
      const safeCount = tf.maximum(count, 1);
      const sum = tf.sum(tf.mul(a, above));
      // Magnitudes near float32's maximum overflow the sum: average a / count instead (no overflow).
      const mean = tf.where(tf.isFinite(sum), tf.div(sum, safeCount), tf.sum(tf.div(tf.mul(a, above), safeCount)));
      const alpha = tf.where(tf.greater(count, 0), mean, tf.scalar(1));
      return { codes: tf.mul(tf.sign(x), above), alpha };
    });
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    return straightThrough(x, (t) =>
      tf.tidy(() => {
        const { codes, alpha } = this.ternarise(t);
        return tf.add(tf.mul(codes, alpha), 0); // + 0: no -0 from sign(-w) * 0
      }),
    );
  }

  precision(): OperandPrecision {
    return { kind: 'ternary', bits: 2, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    const { codes, alpha } = this.ternarise(x);
    const c = Int32Array.from(codes.dataSync());
    const s = alpha.dataSync()[0];
    tf.dispose([codes, alpha]);
    return new QuantizedTensor({ codes: c, shape: [...x.shape], bits: 2, signed: true, scale: [s] });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { threshold: this.threshold };
  }
}

registerQuantizer(LowbitTernaryQuantizer, ['ternary']);
