/**
 * A tiny quantizer for the layer tests (so they do not depend on any production quantizer):
 * symmetric uniform, fixed power-of-two step, `codes = round(clip(x / step, -n, n))`,
 * `n = 2^(bits-1) - 1`, STE through round, zero gradient outside the clip range. With
 * `stateful: true` it keeps a non-trainable multiplier variable (always 1) on its host, to test
 * that quantizer state is created, saved and loaded with the layer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerHost, type QuantizerVariable } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { clipSte, roundSte } from '../ops/ste.js';
import { checkInteger } from '../validate.js';
import type { OperandPrecision } from '../precision.js';

export class LowbitTestStepQuantizer extends Quantizer {
  static className = 'LowbitTestStepQuantizer';
  readonly bits: number;
  readonly step: number;
  readonly stateful: boolean;
  private gain: QuantizerVariable | null = null;

  constructor(config: { bits?: number; step?: number; stateful?: boolean } = {}) {
    super();
    this.bits = checkInteger('bits', config.bits ?? 4, 2, 16);
    this.step = config.step ?? 0.125;
    this.stateful = config.stateful ?? false;
  }

  get levels(): number {
    return 2 ** (this.bits - 1) - 1;
  }

  override build(_shape: number[], host?: QuantizerHost, prefix = 'quantizer'): void {
    if (this.stateful && host) this.gain = host.addWeight(`${prefix}_gain`, [], 'float32', 'ones', undefined, false);
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = this.levels;
      const q = tf.mul(roundSte(clipSte(tf.div(x, this.step), -n, n)), this.step);
      return this.gain ? tf.mul(q, this.gain.read()) : q;
    });
  }

  precision(): OperandPrecision {
    return { kind: 'int', bits: this.bits, signed: true };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    const codes = tf.tidy(() => tf.round(tf.clipByValue(tf.div(x, this.step), -this.levels, this.levels)));
    const data = Int32Array.from(codes.dataSync());
    codes.dispose();
    return new QuantizedTensor({ codes: data, shape: x.shape, bits: this.bits, signed: true, scale: [this.step] });
  }

  getConfig() {
    return { bits: this.bits, step: this.step, stateful: this.stateful };
  }
}
registerQuantizer(LowbitTestStepQuantizer as never, ['test-step']);
