/**
 * One sample configuration per registered part class, as the contract test uses them: a
 * quantizer gets a kernel-side and an input-side config (modes differ for some), an arithmetic
 * one config. A part class registered without a sample here fails the contract test by name, so
 * a new part cannot skip the contract.
 */
export interface QuantizerSample {
  kernel: Record<string, unknown>;
  input: Record<string, unknown>;
}

export const QUANTIZER_SAMPLES: Record<string, QuantizerSample | 'not-a-layer-quantizer'> = {
  LowbitUniformQuantizer: { kernel: { bits: 4, perChannel: true, axis: -1 }, input: { bits: 6, range: [-2, 2] } },
  LowbitBinaryQuantizer: { kernel: { scaled: true }, input: {} },
  LowbitTernaryQuantizer: { kernel: {}, input: {} },
  LowbitWrpnQuantizer: { kernel: { bits: 4, mode: 'weight' }, input: { bits: 4, mode: 'activation' } },
  LowbitDorefaQuantizer: { kernel: { bits: 3, mode: 'weight' }, input: { bits: 4, mode: 'activation' } },
  LowbitLogQuantizer: { kernel: { bits: 4, signed: true, fsr: 0 }, input: { bits: 4, signed: true, fsr: 1 } },
  LowbitLogSqrt2Quantizer: { kernel: { bits: 5, signed: true, fsr: 0 }, input: { bits: 5, signed: true, fsr: 1 } },
  LowbitLinearFsrQuantizer: { kernel: { bits: 5, fsr: 0 }, input: { bits: 5, fsr: 1 } },
  LowbitWageQuantizer: { kernel: { bits: 4, mode: 'weight' }, input: { bits: 8, mode: 'activation' } },
};

export const ARITHMETIC_SAMPLES: Record<string, Record<string, unknown>> = {
  LowbitExactArithmetic: {},
};
