import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitLogQuantizer,
  LowbitWrpnQuantizer,
  quantActivation,
  quantConv2d,
  quantDense,
} from '@lowbit/quant-core';
import { printSummary } from './print-summary.js';
import { summary } from './summary.js';
import { LowbitTestCostArithmetic } from './test-layers.fixture.js';

const wrpn = (bits: number) => new LowbitWrpnQuantizer({ bits });
const wrpnAct = (bits: number) => new LowbitWrpnQuantizer({ bits, mode: 'activation' });

// Explicit names everywhere: tfjs numbers automatic names globally, which would break snapshots.
const model = () =>
  tfl.sequential({
    name: 'small',
    layers: [
      quantConv2d({
        name: 'conv',
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelQuantizer: wrpn(4),
        inputQuantizer: wrpnAct(8),
      }),
      tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      quantConv2d({
        name: 'shift_conv',
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelQuantizer: new LowbitLogQuantizer({ bits: 4 }),
        inputQuantizer: wrpnAct(4),
        arithmetic: new LowbitTestCostArithmetic({ multiply: 'shift', name: 'shift' }),
      }),
      quantActivation({ name: 'act', activation: 'relu', outputQuantizer: wrpnAct(4) }),
      tfl.layers.flatten({ name: 'flat' }),
      quantDense({
        name: 'fc',
        units: 10,
        kernelQuantizer: wrpn(8),
        inputQuantizer: wrpnAct(4),
        arithmetic: new LowbitTestCostArithmetic({ multiply: 'approximate', name: 'trunc4', energyRatio: 0.5 }),
      }),
    ],
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('printSummary', () => {
  it('prints a Larq-style table: precisions, params per width, MACs per precision, bit-ops, energy, ratios', () => {
    const printed: string[] = [];
    const text = printSummary(model(), { print: (t) => printed.push(t) });
    expect(printed).toEqual([text]);
    expect(text).toMatchInlineSnapshot(`
      "batch 1 | table horowitz-45nm | weights read from DRAM, activations in SRAM
      +small stats---------------------------------------------------------------------------------------------------------------------------------------------------------------+
      | Layer       Class                  Weight  Input  Output  Arithmetic   # 4-bit  # 8-bit  # 32-bit  Memory  int4 x uint8  pow2-4 x uint4  int8 x uint4  Bit-ops    Energy |
      |                                    prec.   prec.  prec.                 params   params    params   (KiB)          MACs            MACs          MACs               (pJ) |
      +--------------------------------------------------------------------------------------------------------------------------------------------------------------------------+
      | conv        LowbitQuantConv2D      int4    uint8  uint4   exact             36        0         4    0.03         1,296               0             0   41,472   5,898.8 |
      | pool        MaxPooling2D           -       -      uint4   -                  0        0         0    0.00             0               0             0        0     113.9 |
      | shift_conv  LowbitQuantConv2D      pow2-4  uint4  uint4   shift            144        0         0    0.07             0           1,296             0   20,736  11,838.2 |
      | act         LowbitQuantActivation  -       -      uint4   -                  0        0         0    0.00             0               0             0        0       0.5 |
      | flat        Flatten                -       -      uint4   -                  0        0         0    0.00             0               0             0        0       0.0 |
      | fc          LowbitQuantDense       int8    uint4  fp32    trunc4 0.5x        0      360        10    0.39             0               0           360   11,520  65,111.6 |
      +--------------------------------------------------------------------------------------------------------------------------------------------------------------------------+
      | Total                                                                      180      360        14    0.49         1,296           1,296           360   73,728  82,962.9 |
      +--------------------------------------------------------------------------------------------------------------------------------------------------------------------------+
      +small summary----------------------------------------------+
      |                            this model    float32    ratio |
      +-----------------------------------------------------------+
      | Params                            554        554          |
      | Weight memory (KiB)              0.49       2.16  0.2283x |
      | MACs                            2,952      2,952          |
      | Bit-ops                        73,728  3,022,848  0.0244x |
      | Activations written (KiB)        0.14       0.88  0.1637x |
      | Energy (pJ)                  82,962.9  376,477.4  0.2204x |
      |   compute (pJ)                  337.9   13,847.4  0.0244x |
      |   memory (pJ)                82,625.0  362,630.0  0.2278x |
      +-----------------------------------------------------------+"
    `);
  });

  it('prints with console.log by default and takes the summary options', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const m = model();
    const text = printSummary(m, { batchSize: 4 });
    expect(log).toHaveBeenCalledExactlyOnceWith(text);
    expect(text).toMatch(/^batch 4 \| table horowitz-45nm/);
    const s = summary(m, { batchSize: 4 });
    expect(text).toContain(
      s.totals.energyPj.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    );
  });

  it('marks rows with notes and lists the warnings; shows layers it cannot cost', () => {
    const m = tfl.sequential({
      name: 'warn',
      layers: [tfl.layers.dense({ name: 'out', units: 2, inputShape: [3], activation: 'softmax' })],
    });
    const text = printSummary(m, { print: () => {} });
    expect(text).toMatch(/\| out \* +Dense +fp32 +fp32 +fp32 +exact /);
    expect(text).toContain('Warnings (rows marked * have a note below):\n  - out: activation softmax');
  });

  it('rejects a print that is not a function and bad summary options', () => {
    expect(() => printSummary(model(), { print: 'stdout' as never })).toThrow(LowbitConfigError);
    expect(() => printSummary(model(), { print: () => {}, batch: 2 } as never)).toThrow(/options\.batch/);
    expect(() => printSummary(model(), null as never)).toThrow(/options = null/);
  });

  it('creates no tensors', () => {
    const m = model();
    const before = tf.memory().numTensors;
    printSummary(m, { print: () => {} });
    expect(tf.memory().numTensors).toBe(before);
  });
});
