/**
 * `LowbitBinaryQuantizer` (alias `'binary'`): sign binarisation, as BinaryConnect / Larq's
 * `ste_sign`.
 * - forward `x >= 0 ? +1 : -1` (0 maps to +1), times `mean|x|` when `scaled` (BWN / XNOR scale);
 * - backward clipped straight-through: `dy` where `|x| <= 1`, 0 elsewhere.
 * Integer export: codes +-1 (stored as 2-bit signed codes in `QuantizedTensor`'s linear encoding;
 * a bit packer keeps only the sign), scale 1 or `mean|x|`. `precision()` is `binary`, 1 bit.
 *
 * ```ts
 * new LowbitBinaryQuantizer().call(tf.tensor([-0.3, 0, 2])); // [-1, 1, 1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { signSte } from '../ops/ste.js';
import type { OperandPrecision } from '../precision.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { checkBoolean } from '../validate.js';
import { checkCallOptions, checkConfig, checkFloatTensor, quantizeSignTimesMeanAbs } from './common.js';

export interface BinaryQuantizerConfig {
  /** Multiply by mean|x| (default false: plain +-1). */
  scaled?: boolean;
}

export class LowbitBinaryQuantizer extends Quantizer {
  static className = 'LowbitBinaryQuantizer';
  readonly scaled: boolean;

  constructor(config: BinaryQuantizerConfig = {}) {
    super();
    const c = checkConfig<BinaryQuantizerConfig>('LowbitBinaryQuantizer', config, ['scaled']);
    this.scaled = checkBoolean('scaled', c.scaled ?? false);
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    const s = signSte(x);
    if (!this.scaled) return s;
    // The scale is a constant of the forward pass here: the gradient is the clipped STE times mean|x|.
    const m = tf.tidy(() => tf.mean(tf.abs(x)).dataSync()[0]);
    const out = tf.mul(s, m);
    s.dispose();
    return out;
  }

  precision(): OperandPrecision {
    return { kind: 'binary', bits: 1, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    if (this.scaled) return quantizeSignTimesMeanAbs(x);
    const v = x.dataSync();
    const codes = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) codes[i] = v[i] >= 0 ? 1 : -1;
    return new QuantizedTensor({ codes, shape: [...x.shape], bits: 2, signed: true, scale: [1] });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { scaled: this.scaled };
  }
}

registerQuantizer(LowbitBinaryQuantizer, ['binary']);
