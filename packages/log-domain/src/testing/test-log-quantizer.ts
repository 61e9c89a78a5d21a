// A small log quantizer for the layer tests, so they do not depend on the production quantizers
// (quant-core's LowbitLogQuantizer): value sign(x) 2^(e / steps), e = clip(round(steps log2|x|),
// minE, maxE), below minE -> 0; STE gradient; pow2 integer export. `linear: true` gives fixed-point
// codes with step 2^(fsr - bits + 1) instead (a symmetric LinearQuant), to test log x int.
import * as tf from '@tensorflow/tfjs-core';
import {
  type OperandPrecision,
  QuantizedTensor,
  Quantizer,
  registerQuantizer,
  straightThrough,
} from '@lowbit/quant-core';

export interface TestLogConfig {
  bits?: number;
  fsr?: number;
  signed?: boolean;
  stepsPerOctave?: number;
  linear?: boolean;
}

export class LowbitTestLogQuantizer extends Quantizer {
  static className = 'LowbitTestLogQuantizer';
  readonly bits: number;
  readonly fsr: number;
  readonly signed: boolean;
  readonly stepsPerOctave: number;
  readonly linear: boolean;

  constructor(config: TestLogConfig = {}) {
    super();
    this.bits = config.bits ?? 4;
    this.fsr = config.fsr ?? 0;
    this.signed = config.signed ?? true;
    this.stepsPerOctave = config.stepsPerOctave ?? 1;
    this.linear = config.linear ?? false;
  }

  get levels(): number {
    return this.signed ? 2 ** (this.bits - 1) - 1 : 2 ** this.bits - 1;
  }
  get maxE(): number {
    return this.fsr * this.stepsPerOctave;
  }
  get minE(): number {
    return this.maxE - this.levels + 1;
  }
  get step(): number {
    return 2 ** (this.fsr - this.levels.toString(2).length + 1);
  }

  /** Signed codes as a float tensor (pow2: sign (e - minE + 1) or 0; linear: round(x / step)). */
  private codes(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const v = this.signed ? x : tf.relu(x);
      if (this.linear) return tf.clipByValue(tf.round(tf.div(v, this.step)), -this.levels, this.levels);
      const e = tf.minimum(tf.round(tf.mul(tf.log(tf.abs(v)), this.stepsPerOctave / Math.LN2)), this.maxE);
      const mag = tf.sub(e, this.minE - 1);
      return tf.where(tf.logicalAnd(tf.notEqual(v, 0), tf.greater(mag, 0)), tf.mul(tf.sign(v), mag), tf.zerosLike(v));
    });
  }

  call(x: tf.Tensor): tf.Tensor {
    return straightThrough(x, (t) =>
      tf.tidy(() => {
        const c = this.codes(t);
        if (this.linear) return tf.mul(c, this.step);
        const value = tf.mul(tf.sign(c), tf.pow(2, tf.div(tf.add(tf.abs(c), this.minE - 1), this.stepsPerOctave)));
        return tf.where(tf.equal(c, 0), tf.zerosLike(c), value);
      }),
    );
  }

  precision(): OperandPrecision {
    return { kind: this.linear ? 'int' : 'pow2', bits: this.bits, signed: this.signed };
  }

  quantize(x: tf.Tensor): QuantizedTensor {
    const c = this.codes(x);
    const codes = Int32Array.from(c.dataSync());
    c.dispose();
    if (this.linear)
      return new QuantizedTensor({ codes, shape: x.shape, bits: this.bits, signed: true, scale: [this.step] });
    return new QuantizedTensor({
      codes,
      shape: x.shape,
      bits: this.signed ? this.bits : this.bits + 1,
      signed: true,
      scale: [2 ** (this.minE / this.stepsPerOctave)],
      encoding: 'pow2',
      stepsPerOctave: this.stepsPerOctave,
    });
  }

  getConfig() {
    return {
      bits: this.bits,
      fsr: this.fsr,
      signed: this.signed,
      stepsPerOctave: this.stepsPerOctave,
      linear: this.linear,
    };
  }
}
registerQuantizer(LowbitTestLogQuantizer as never, []);
