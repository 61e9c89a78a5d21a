import { describe, expect, it } from 'vitest';
import { formatEnergy, formatTable, mainJobVerdicts, summaryMarkdown, tableToMarkdown } from './table.js';
import type { SuiteSummary, TechniqueRow } from './suite-summary.js';
import { thinCurve } from './techniques.js';

const row = (over: Partial<TechniqueRow>): TechniqueRow =>
  ({
    id: 'float',
    label: 'float32 baseline',
    kind: 'trained',
    accuracy: 0.8765,
    weightMemoryKiB: 574.81,
    activationMemoryKiB: 56,
    macs: 1_183_232,
    bitOps: 1_211_629_568,
    energyPj: 102_110_000,
    energyVsFloat32: 1,
    seconds: 32.84,
    ...over,
  }) as TechniqueRow;

describe('formatEnergy', () => {
  it('picks pJ, nJ or uJ', () => {
    expect(formatEnergy(0.3)).toBe('0.3 pJ');
    expect(formatEnergy(1500)).toBe('1.50 nJ');
    expect(formatEnergy(102_110_000)).toBe('102.11 uJ');
  });
});

describe('formatTable / tableToMarkdown', () => {
  const rows = [
    row({}),
    row({ id: 'dqa', label: 'DQA 4-bit', kind: 'post-training', accuracy: 0.5, energyVsFloat32: 0.99, seconds: 2.6 }),
  ];
  it('one aligned line per technique under a header, columns padded to the widest cell', () => {
    const lines = formatTable(rows).split('\n');
    expect(lines).toHaveLength(6); // rule, header, rule, 2 rows, rule
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[3]).toMatch(
      /^float32 baseline\s+87\.65%\s+574\.8\s+56\.0\s+1,183,232\s+1,211,629,568\s+102\.11 uJ\s+1\.000x\s+32\.8 s$/,
    );
    expect(lines[4]).toMatch(/DQA 4-bit .* 0\.990x\s+2\.6 s \(calib\.\)$/);
  });
  it('Markdown: header, alignment row, one row per technique', () => {
    const md = tableToMarkdown(rows).split('\n');
    expect(md[0]).toBe(
      '| technique | test acc. | weights KiB | activations KiB | MACs | bit-ops | energy | vs fp32 | time |',
    );
    expect(md[1]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md[2]).toBe(
      '| float32 baseline | 87.65% | 574.8 | 56.0 | 1,183,232 | 1,211,629,568 | 102.11 uJ | 1.000x | 32.8 s |',
    );
    expect(md).toHaveLength(4);
  });
});

describe('thinCurve', () => {
  it('keeps short curves, thins long ones to at most max points ending at the last', () => {
    const curve = Array.from({ length: 450 }, (_, i) => ({ step: i + 1, epoch: 1, loss: 1 / (i + 1) }));
    expect(thinCurve(curve.slice(0, 10), 200)).toHaveLength(10);
    const thin = thinCurve(curve, 200);
    expect(thin.length).toBeLessThanOrEqual(200);
    expect(thin.at(-1)).toEqual(curve.at(-1));
    expect(thin.map((p) => p.step)).toEqual([...thin.map((p) => p.step)].sort((a, b) => a - b));
    expect(thin[1].step - thin[0].step).toBe(3); // every 3rd of 450
  });
});

describe('mainJobVerdicts', () => {
  const summaryOf = (over: {
    accuracy?: number;
    seconds: number;
    train: number;
    quick?: boolean;
    rows?: TechniqueRow[];
  }) =>
    ({
      tool: '@lowbit/suite',
      date: '2026-12-03',
      command: 'npm start',
      dataset: 'fashion',
      backend: { name: 'wasm', reason: 'test' },
      settings: {
        trainSamples: over.train,
        testSamples: 10_000,
        calibrationSamples: 256,
        epochs: 2,
        batchSize: 64,
        seed: 1,
        quick: over.quick ?? false,
        net: 'LeNet',
      },
      hwModel: { batchSize: 1, table: 'horowitz-45nm', weightMemory: 'dram', activationMemory: 'sram' },
      rows: over.rows ?? [row({ accuracy: over.accuracy, configuration: 'c', notes: [] })],
      skipped: [],
      totalSeconds: over.seconds,
    }) as SuiteSummary;

  it('judges the full split, the float accuracy (>= 89%) and the 30-minute budget from the numbers', () => {
    expect(mainJobVerdicts(summaryOf({ accuracy: 0.8921, seconds: 1500, train: 59_945 }))).toEqual([
      '**holds**: every technique trains on the whole training split (59,945 images): 59,945 used',
      '**holds**: the float32 baseline reaches about 90% (>= 89.0%): 89.21% after 2 epoch(s)',
      '**holds**: the whole run takes under 30 minutes: 25.0 min',
    ]);
    const short = mainJobVerdicts(summaryOf({ accuracy: 0.8899, seconds: 1800, train: 6000 }));
    expect(short.map((v) => v.split(':')[0])).toEqual(['**does not hold**', '**does not hold**', '**does not hold**']);
    expect(mainJobVerdicts(summaryOf({ seconds: 10, train: 59_945, rows: [] }))[1]).toBe(
      '**inconclusive**: the float32 baseline was not run',
    );
  });

  it('summary.md carries the checks for a default run, not for a quick one', () => {
    const md = summaryMarkdown(summaryOf({ accuracy: 0.88, seconds: 1500, train: 59_945 }));
    expect(md).toContain('## Main-job checks');
    expect(md).toContain(
      '- **does not hold**: the float32 baseline reaches about 90% (>= 89.0%): 88.00% after 2 epoch(s)',
    );
    expect(summaryMarkdown(summaryOf({ accuracy: 0.5, seconds: 60, train: 1000, quick: true }))).not.toContain(
      'Main-job checks',
    );
  });
});
