/**
 * One sample configuration per registered part class, as the contract test uses them: a
 * quantizer gets a kernel-side and an input-side config (modes differ for some), an arithmetic
 * one config. A part class registered without a sample here fails the contract test by name, so
 * a new part cannot skip the contract.
 */
export interface QuantizerSample {
  /** Kernel-side and input-side configs for the weight layers; null: an activation-only quantizer. */
  kernel: Record<string, unknown> | null;
  input: Record<string, unknown> | null;
  /** Config as `quantActivation`'s outputQuantizer on inputs of shape [batch, 5]; default: `input`. */
  activation?: Record<string, unknown>;
}

export const QUANTIZER_SAMPLES: Record<string, QuantizerSample> = {
  LowbitUniformQuantizer: { kernel: { bits: 4, perChannel: true, axis: -1 }, input: { bits: 6, range: [-2, 2] } },
  LowbitBinaryQuantizer: { kernel: { scaled: true }, input: {} },
  LowbitTernaryQuantizer: { kernel: {}, input: {} },
  LowbitWrpnQuantizer: { kernel: { bits: 4, mode: 'weight' }, input: { bits: 4, mode: 'activation' } },
  LowbitDorefaQuantizer: { kernel: { bits: 3, mode: 'weight' }, input: { bits: 4, mode: 'activation' } },
  LowbitLogQuantizer: { kernel: { bits: 4, signed: true, fsr: 0 }, input: { bits: 4, signed: true, fsr: 1 } },
  LowbitLogSqrt2Quantizer: { kernel: { bits: 5, signed: true, fsr: 0 }, input: { bits: 5, signed: true, fsr: 1 } },
  LowbitLinearFsrQuantizer: { kernel: { bits: 5, fsr: 0 }, input: { bits: 5, fsr: 1 } },
  LowbitWageQuantizer: { kernel: { bits: 4, mode: 'weight' }, input: { bits: 8, mode: 'activation' } },
  // Calibrated per-channel scales: it fits one channel count, so it is an activation part only.
  // WAGE's activation block (Q_A forward, Q_E on the error) and the reporting-only input part.
  LowbitWageActivationQuantizer: { kernel: null, input: null, activation: { bits: 8, errorBits: 8 } },
  LowbitWagePassThroughQuantizer: { kernel: null, input: null, activation: { bits: 8 } },
  LowbitDqaQuantizer: {
    kernel: null,
    input: null,
    activation: { bits: 3, extraBits: 2, scales: [0.1, 0.2, 0.05, 0.15, 0.3], important: [1, 4] },
  },
};

export const ARITHMETIC_SAMPLES: Record<string, Record<string, unknown>> = {
  LowbitExactArithmetic: {},
  LowbitShiftArithmetic: {},
  LowbitLogAccumulateArithmetic: {},
  LowbitAppMulArithmetic: { multiplier: 'trunc3_a4u_w4s' },
};
