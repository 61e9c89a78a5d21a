import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { quantConv2d, quantDense } from '@lowbit/quant-core';
import { summary } from './summary.js';
import { formatSummary, summaryToJSON, summaryToMarkdown } from './format.js';
import { MysteryLayer, binary, int, parts, pow2, uint } from './test-layers.fixture.js';

// Explicit names everywhere: tfjs numbers automatic names globally, which would break snapshots.
const model = () =>
  tfl.sequential({
    name: 'tiny',
    layers: [
      quantConv2d({
        name: 'conv',
        inputShape: [6, 6, 1],
        filters: 2,
        kernelSize: 3,
        ...parts({ weight: int(4), input: uint(4) }),
      }),
      tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tfl.layers.flatten({ name: 'flat' }),
      quantDense({ name: 'fc', units: 3, useBias: false, ...parts({ weight: binary, input: uint(2) }) }),
      new MysteryLayer({ name: 'odd' }),
    ],
  });

describe('formatSummary', () => {
  it('prints a Larq-style table with bit-ops, energy, totals, references and warnings', () => {
    expect(formatSummary(summary(model()))).toMatchInlineSnapshot(`
      "Model: tiny | batch 1 | table horowitz-45nm | weights read from DRAM, activations in SRAM
      -----------------------------------------------------------------------------------------------------------------------------------------------------------
      Layer (type)              Output shape   W x A         # 1-bit  # 4-bit  # 32-bit  Weights KiB        MACs  Bit-ops    Acc  Compute pJ  Memory pJ  Total pJ
      -----------------------------------------------------------------------------------------------------------------------------------------------------------
      conv (LowbitQuantConv2D)  (-1, 4, 4, 2)  int4 x uint4        0       18         2         0.02         288    4,608  int12        27.0    2,795.0   2,822.0
      pool (MaxPooling2D)       (-1, 2, 2, 2)  -                   0        0         0         0.00           0        0      -         0.2       12.5      12.7
      flat (Flatten)            (-1, 8)        -                   0        0         0         0.00           0        0      -         0.0        0.0       0.0
      fc (LowbitQuantDense)     (-1, 3)        +-1 x uint2        24        0         0         0.00          24       48   int6         0.6      505.0     505.6
      odd (MysteryLayer)        (-1, 3)        -                   -        -         -            -  not costed        -      -           -          -         -
      -----------------------------------------------------------------------------------------------------------------------------------------------------------
      Total                                                       24       18         2         0.02         312    4,656               27.8    3,312.5   3,340.3
      -----------------------------------------------------------------------------------------------------------------------------------------------------------
      Params: 44 (24 x 1-bit, 18 x 4-bit, 2 x 32-bit), weight memory 0.02 KiB
      MACs: 312, bit-ops (MACs x b_w x b_a): 4,656, element ops: 56
      MACs by precision (w x a): int4 x uint4: 288, +-1 x uint2: 24
      Activations written: 0.02 KiB, largest layer (inputs + output): 0.03 KiB

      Same topology, all operands float32 / all int8 (32-bit accumulators):
      --------------------------------------------------------------------------
                                 this model   float32    ratio     int8    ratio
      --------------------------------------------------------------------------
      Energy (pJ)                   3,340.3  30,680.6  0.1089x  8,371.3  0.3990x
        compute (pJ)                   27.8   1,485.6  0.0187x     97.5  0.2846x
        memory (pJ)                 3,312.5  29,195.0  0.1135x  8,273.8  0.4004x
      Bit-ops                         4,656   319,488  0.0146x   19,968  0.2332x
      Weight memory (KiB)              0.02      0.17  0.1136x     0.05  0.4000x
      Activations written (KiB)        0.02      0.17  0.1279x     0.04  0.5116x
      --------------------------------------------------------------------------

      Warnings:
        - odd (MysteryLayer): not costed: layer type MysteryLayer has no cost model"
    `);
  });

  it('prints Markdown tables', () => {
    expect(summaryToMarkdown(summary(model()))).toMatchInlineSnapshot(`
      "**Model: tiny | batch 1 | table horowitz-45nm | weights read from DRAM, activations in SRAM**

      | Layer (type) | Output shape | W x A | # 1-bit | # 4-bit | # 32-bit | Weights KiB | MACs | Bit-ops | Acc | Compute pJ | Memory pJ | Total pJ |
      | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      | conv (LowbitQuantConv2D) | (-1, 4, 4, 2) | int4 x uint4 | 0 | 18 | 2 | 0.02 | 288 | 4,608 | int12 | 27.0 | 2,795.0 | 2,822.0 |
      | pool (MaxPooling2D) | (-1, 2, 2, 2) | - | 0 | 0 | 0 | 0.00 | 0 | 0 | - | 0.2 | 12.5 | 12.7 |
      | flat (Flatten) | (-1, 8) | - | 0 | 0 | 0 | 0.00 | 0 | 0 | - | 0.0 | 0.0 | 0.0 |
      | fc (LowbitQuantDense) | (-1, 3) | +-1 x uint2 | 24 | 0 | 0 | 0.00 | 24 | 48 | int6 | 0.6 | 505.0 | 505.6 |
      | odd (MysteryLayer) | (-1, 3) | - | - | - | - | - | not costed | - | - | - | - | - |
      | **Total** |  |  | 24 | 18 | 2 | 0.02 | 312 | 4,656 |  | 27.8 | 3,312.5 | 3,340.3 |

      Params: 44; MACs: 312 (int4 x uint4: 288, +-1 x uint2: 24); bit-ops: 4,656; activations written: 0.02 KiB (largest layer 0.03 KiB).

      | Same topology | this model | float32 | ratio | int8 | ratio |
      | --- | ---: | ---: | ---: | ---: | ---: |
      | Energy (pJ) | 3,340.3 | 30,680.6 | 0.1089x | 8,371.3 | 0.3990x |
      | compute (pJ) | 27.8 | 1,485.6 | 0.0187x | 97.5 | 0.2846x |
      | memory (pJ) | 3,312.5 | 29,195.0 | 0.1135x | 8,273.8 | 0.4004x |
      | Bit-ops | 4,656 | 319,488 | 0.0146x | 19,968 | 0.2332x |
      | Weight memory (KiB) | 0.02 | 0.17 | 0.1136x | 0.05 | 0.4000x |
      | Activations written (KiB) | 0.02 | 0.17 | 0.1279x | 0.04 | 0.5116x |

      **Warnings**

      - odd (MysteryLayer): not costed: layer type MysteryLayer has no cost model"
    `);
  });

  it('names a non-exact arithmetic next to the operands, and a log accumulator as log<bits>', () => {
    const m = tfl.sequential({
      name: 'arith',
      layers: [
        quantDense({
          name: 'appx',
          inputShape: [4],
          units: 2,
          useBias: false,
          ...parts({
            weight: int(8),
            input: uint(8),
            arithmetic: { multiply: 'approximate', name: 'trunc4', energyRatio: 0.4375 },
          }),
        }),
        quantDense({
          name: 'lns',
          units: 2,
          useBias: false,
          ...parts({
            weight: pow2(4),
            input: pow2(4),
            arithmetic: { multiply: 'shift', name: 'shift', accumulate: 'log' },
          }),
        }),
      ],
    });
    const rows = formatSummary(summary(m)).split('\n');
    expect(rows.find((r) => r.startsWith('appx'))).toMatch(/int8 x uint8 \(trunc4 0\.4375x\) .* int18 /);
    expect(rows.find((r) => r.startsWith('lns'))).toMatch(/pow2-4 x pow2-4 \(shift \+ log acc\) .* log9 /);
  });

  it('JSON carries every row and total and parses back', () => {
    const s = summary(model(), { batchSize: 2 });
    const back = JSON.parse(summaryToJSON(s));
    expect(back).toEqual(JSON.parse(JSON.stringify(s)));
    expect(back.layers).toHaveLength(5);
    expect(back.layers[4]).toMatchObject({ name: 'odd', costed: false, macs: 0 });
    expect(back.layers[0].macs).toBe(2 * 4 * 4 * 2 * 9);
    expect(back.totals.notCosted).toBe(1);
    expect(back.batchSize).toBe(2);
  });
});
