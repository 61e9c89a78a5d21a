import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { formatSummary, summaryToJSON, summaryToMarkdown } from './format.js';
import { layerWork, workKindOf } from './layer-work.js';
import {
  accumulateEnergyPj,
  accumulatorFor,
  checkArithmeticCost,
  checkOperand,
  linearBits,
  macEnergy,
} from './mac-energy.js';
import { formatOperand } from './operand-name.js';
import { formatLayerStats } from './print-summary.js';
import { compareTotals, summary } from './summary.js';

const int4 = { kind: 'int', bits: 4, signed: true } as const;

describe('hw-model rejects bad records with typed errors naming the field', () => {
  const s = summary(tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] }));

  it('formatters check the summary they are given', () => {
    for (const f of [formatSummary, summaryToMarkdown, summaryToJSON, formatLayerStats]) {
      expect(() => f(undefined as never)).toThrow(/s = undefined is invalid: expected a summary/);
      expect(() => f({ ...s, layers: 'nope' } as never)).toThrow(/s.layers = "nope"/);
      expect(() => f({ ...s, totals: { ...s.totals, energyPj: -1 } })).toThrow(/s.totals.energyPj = -1/);
      expect(() => f({ ...s, extra: 1 } as never)).toThrow(/s.extra = 1 is invalid: unknown option/);
      expect(typeof f(s)).toBe('string');
    }
  });

  it('compareTotals checks both totals (no NaN ratios from bad numbers)', () => {
    expect(() => compareTotals({ ...s.totals, bitOps: Number.NaN }, s.totals)).toThrow(/a.bitOps = NaN/);
    expect(() => compareTotals(s.totals, null as never)).toThrow(LowbitConfigError);
    expect(compareTotals(s.totals, s.totals).energyPj).toBe(1);
  });

  it('operands, arithmetics and accumulators: shape, unknown keys, sign', () => {
    expect(() => checkOperand('w', { ...int4, signed: 'yes' })).toThrow(/w.signed = "yes"/);
    expect(() => checkOperand('w', { ...int4, width: 4 })).toThrow(/w.width = 4 is invalid: unknown option/);
    expect(() => checkArithmeticCost('a', { multiply: 'shift', name: 's', ratio: 1 })).toThrow(/a.ratio/);
    expect(() => linearBits(null as never)).toThrow(/p = null/);
    expect(() => accumulatorFor(int4, undefined as never, 8)).toThrow(/input = undefined/);
    expect(() => accumulateEnergyPj({ kind: 'int', bits: 0 })).toThrow(/acc.bits = 0/);
    expect(() => macEnergy(int4, int4, { fanIn: 8, fan: 1 } as never)).toThrow(/options.fan/);
    expect(formatOperand(undefined)).toBe('-');
    expect(() => formatOperand({ kind: 'int' } as never)).toThrow(/p.bits = undefined/);
  });

  it('layer work: a layer and shapes of rank >= 1', () => {
    const dense = tfl.layers.dense({ units: 2 });
    expect(() => workKindOf({} as never)).toThrow(/layer = \{\} is invalid: expected a tfjs layer/);
    expect(() => layerWork(dense, [], [null, 2])).toThrow(/inputShapes = \[\]/);
    expect(() => layerWork(dense, [[null, 3]], [])).toThrow(/outputShape = \[\] is invalid: expected rank >= 1/);
    expect(layerWork(dense, [[null, 3]], [null, 2]).macGroups[0]!.macs).toBe(6);
  });
});
