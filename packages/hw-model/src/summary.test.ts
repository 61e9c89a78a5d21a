import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitDataError,
  LowbitWrpnQuantizer,
  quantActivation,
  quantConv2d,
  quantDense,
  quantDepthwiseConv2d,
  type ArithmeticCost,
} from '@lowbit/quant-core';
import { compareTotals, summary } from './summary.js';
import { formatSummary } from './format.js';
import { extendEnergyTable, energyTable } from './energy-table.js';
import { intMultiplyEnergyPj } from './energy.js';
import { logAccumulateEnergyPj } from './log-accumulate-energy.js';
import { MysteryLayer, binary, f32, int, parts, pow2, quantizerOf, reporting, uint } from './test-layers.fixture.js';

type TestPrecision = Parameters<typeof parts>[0] & { accumulatorBits?: number };

/** A generic quantDense of 784 -> 300 with test parts; `accumulatorBits` as a layer that fixes it would report. */
const dense784x300 = (
  { accumulatorBits, ...p }: TestPrecision = { weight: int(8), input: int(8), accumulatorBits: 32 },
  useBias = false,
) => {
  const fc = quantDense({ name: 'fc', units: 300, useBias, inputShape: [784], ...parts(p) });
  return tfl.sequential({
    name: 'd',
    layers: [accumulatorBits === undefined ? fc : reporting(fc, { accumulatorBits })],
  });
};

describe('summary: golden figures', () => {
  it('784 -> 300 dense at int8: 235,200 MACs and 70,560 pJ of compute', () => {
    const s = summary(dense784x300());
    const [fc] = s.layers;
    expect(fc.macs).toBe(235_200);
    expect(fc.bitOps).toBe(235_200 * 64);
    expect(fc.multiplier).toBe('int-multiplier');
    expect(fc.accumulator).toEqual({ kind: 'int', bits: 32 });
    expect(fc.energy.computePj).toBeCloseTo(70_560, 6);
    expect(fc.params).toBe(235_200);
    expect(fc.paramsByBits).toEqual({ 8: 235_200 });
    expect(fc.paramBits).toBe(235_200 * 8);
  });

  it('fp32 vs int8 energy ratio of that layer is (3.7 + 0.9) / 0.3', () => {
    const s = summary(dense784x300());
    expect(s.references.float32.computePj).toBeCloseTo(235_200 * 4.6, 6);
    expect(s.references.float32.computePj / s.totals.computePj).toBeCloseTo((3.7 + 0.9) / 0.3, 10);
    expect(s.ratios.vsFloat32.computePj).toBeCloseTo(0.3 / 4.6, 10);
    expect(s.ratios.vsInt8.computePj).toBeCloseTo(1, 12); // the int8 reference is this layer
    expect(s.ratios.vsFloat32.bitOps).toBeCloseTo(64 / 1024, 12);
  });

  it('bias adds are element ops at the accumulator width, outside the MAC energy', () => {
    const s = summary(dense784x300(undefined, true));
    const [fc] = s.layers;
    expect(fc.elementOps).toBe(300);
    expect(fc.energy.elementOpsPj).toBeCloseTo(300 * 0.1, 9);
    expect(fc.energy.multiplyPj + fc.energy.accumulatePj).toBeCloseTo(70_560, 6);
    expect(fc.paramsByBits).toEqual({ 8: 235_200, 32: 300 });
  });

  it('a layer without lowbitPrecision is float32', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 300, useBias: false, inputShape: [784] })] });
    const [fc] = summary(m).layers;
    expect(fc.reportsPrecision).toBe(false);
    expect(fc.weight).toEqual({ kind: 'float', bits: 32, signed: true });
    expect(fc.energy.computePj).toBeCloseTo(235_200 * 4.6, 6);
    expect(fc.bitOps).toBe(235_200 * 1024);
  });
});

describe('summary: WRPN widening ("2x wide at 4 bits costs about 0.5x of FP32 1x")', () => {
  // An inner layer 1x wide in fp32 against the same layer 2x wide (inputs and outputs doubled)
  // at 4-bit weights and activations.
  const inner = (width: number, precision?: { weight: ReturnType<typeof int>; input: ReturnType<typeof int> }) =>
    tfl.sequential({
      layers: [
        precision
          ? quantDense({ units: 100 * width, useBias: false, inputShape: [100 * width], ...parts(precision) })
          : tfl.layers.dense({ units: 100 * width, useBias: false, inputShape: [100 * width] }),
      ],
    });
  const fp32x1 = summary(inner(1)).layers[0];
  const w4a4x2 = summary(inner(2, { weight: int(4), input: uint(4) })).layers[0];

  it('2x wide means 4x the MACs', () => {
    expect(w4a4x2.macs).toBe(4 * fp32x1.macs);
  });

  it('product bit-ops (MACs x b_w x b_a) are 4 x 16 / 1024 = 1/16 of fp32 1x, not 1/2', () => {
    expect(w4a4x2.bitOps / fp32x1.bitOps).toBe(1 / 16);
  });

  it('the 0.5x of the WRPN claim holds for weight memory and for MACs x operand bits', () => {
    expect(w4a4x2.paramBits / fp32x1.paramBits).toBe(0.5);
    const linear = (r: typeof fp32x1) => r.macs * r.weight!.bits;
    expect(linear(w4a4x2) / linear(fp32x1)).toBe(0.5);
  });

  it('compareTotals gives the same ratios for whole models', () => {
    const r = compareTotals(summary(inner(2, { weight: int(4), input: uint(4) })).totals, summary(inner(1)).totals);
    expect(r.bitOps).toBe(1 / 16);
    expect(r.paramBits).toBe(0.5);
    expect(compareTotals(summary(inner(1)).totals, { ...summary(inner(1)).totals, energyPj: 0 }).energyPj).toBeNull();
  });

  it('compute energy under the Horowitz table is far below 0.5x', () => {
    // 4 x (mult at 4 bits + add at the derived 4 + 4 + ceil(log2 200) = 16 bits) vs 4.6 pJ
    const expected = (4 * (0.0029948 * 16 + 0.0010417 * 4 + 0.003125 * 16)) / 4.6;
    expect(w4a4x2.accumulator).toEqual({ kind: 'int', bits: 16 });
    expect(w4a4x2.energy.computePj / fp32x1.energy.computePj).toBeCloseTo(expected, 10);
    expect(expected).toBeLessThan(0.1);
  });
});

describe('summary: layer geometry', () => {
  it('conv2d, pooling, flatten, dense with hand-counted MACs and params', () => {
    const m = tfl.sequential({
      name: 'lenet',
      layers: [
        tfl.layers.conv2d({ name: 'c1', inputShape: [12, 12, 2], filters: 3, kernelSize: 5 }),
        tfl.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
        tfl.layers.flatten({ name: 'f' }),
        tfl.layers.dense({ name: 'd', units: 4 }),
      ],
    });
    const [c1, p1, f, d] = summary(m).layers;
    expect(c1.outputShape).toEqual([null, 8, 8, 3]);
    expect(c1.macs).toBe(8 * 8 * 3 * 5 * 5 * 2);
    expect(c1.fanIn).toBe(50);
    expect(c1.params).toBe(5 * 5 * 2 * 3 + 3);
    expect(p1.macs).toBe(0);
    expect(p1.elementOps).toBe(4 * 4 * 3 * 3); // 3 compares per 2x2 window
    expect(p1.energy.elementOpsPj).toBeCloseTo(48 * 3 * 0.9, 9);
    expect(f.energy.totalPj).toBe(0); // a view: no compute, no traffic
    expect(d.macs).toBe(48 * 4);
    expect(d.params).toBe(48 * 4 + 4);
  });

  it('depthwise, separable, conv1d, global pooling, batch norm', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.depthwiseConv2d({ name: 'dw', inputShape: [6, 6, 4], kernelSize: 3, depthMultiplier: 2 }),
        tfl.layers.separableConv2d({ name: 'sep', filters: 5, kernelSize: 3 }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      ],
    });
    const [dw, sep, bn, gap] = summary(m).layers;
    expect(dw.macs).toBe(4 * 4 * 8 * 9);
    expect(dw.params).toBe(3 * 3 * 4 * 2 + 8);
    expect(sep.macs).toBe(2 * 2 * 8 * 9 + 2 * 2 * 8 * 5);
    expect(sep.params).toBe(9 * 8 + 8 * 5 + 5);
    expect(bn.macs).toBe(2 * 2 * 5);
    expect(bn.paramsByBits).toEqual({ 32: 4 * 5 });
    expect(gap.elementOps).toBe(5 * 3);
    const c1 = summary(
      tfl.sequential({
        layers: [tfl.layers.conv1d({ inputShape: [10, 3], filters: 2, kernelSize: 4, useBias: false })],
      }),
    ).layers[0];
    expect(c1.macs).toBe(7 * 2 * 4 * 3);
  });

  it('functional graph with add and concatenate', () => {
    const x = tfl.input({ shape: [8], name: 'x' });
    const a = tfl.layers.dense({ units: 4, name: 'a' }).apply(x) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 4, name: 'b' }).apply(x) as tfl.SymbolicTensor;
    const s = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
    const c = tfl.layers.concatenate({ name: 'cat' }).apply([s, a]) as tfl.SymbolicTensor;
    const sm = summary(tfl.model({ inputs: x, outputs: c }));
    expect(sm.layers.map((r) => r.name)).toEqual(['a', 'b', 'sum', 'cat']); // the input layer has no row
    const sum = sm.layers[2];
    expect(sum.elementOps).toBe(4);
    expect(sum.energy.elementOpsPj).toBeCloseTo(4 * 0.9, 9);
    expect(sm.layers[3].energy.totalPj).toBe(0);
    expect(sm.totals.macs).toBe(64);
  });

  it('conv2d transpose, channels-first conv, standalone activations', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({
          name: 'up',
          inputShape: [3, 3, 2],
          filters: 4,
          kernelSize: 2,
          strides: 2,
          useBias: false,
        }),
        tfl.layers.activation({ name: 'relu', activation: 'relu' }),
        tfl.layers.activation({ name: 'tanh', activation: 'tanh' }),
      ],
    });
    const s = summary(m);
    const [up, relu, tanh] = s.layers;
    expect(up.outputShape).toEqual([null, 6, 6, 4]);
    expect(up.macs).toBe(3 * 3 * 2 * 4 * 4); // every input element times k x filters
    expect(relu.energy.computePj).toBe(0);
    expect(relu.energy.memoryPj).toBeGreaterThan(0); // a real layer boundary: read and write
    expect(tanh.costed).toBe(true);
    expect(s.warnings).toEqual(['tanh: activation tanh (no cost model; relu and linear are free)']);
    const cf = summary(
      tfl.sequential({
        layers: [tfl.layers.conv2d({ inputShape: [3, 7, 7], dataFormat: 'channelsFirst', filters: 5, kernelSize: 3 })],
      }),
    ).layers[0];
    expect(cf.outputShape).toEqual([null, 5, 5, 5]);
    expect(cf.macs).toBe(5 * 5 * 5 * 9 * 3);
    expect(cf.params).toBe(9 * 3 * 5 + 5);
  });

  it('costs the real lowbit layers with WRPN quantizers', () => {
    const m = tfl.sequential({
      layers: [
        quantConv2d({
          name: 'qc',
          inputShape: [6, 6, 1],
          filters: 2,
          kernelSize: 3,
          kernelQuantizer: new LowbitWrpnQuantizer({ bits: 2 }),
          inputQuantizer: new LowbitWrpnQuantizer({ bits: 8, mode: 'activation' }),
        }),
        tfl.layers.flatten({ name: 'fl' }),
        quantDense({
          name: 'qd',
          units: 3,
          kernelQuantizer: new LowbitWrpnQuantizer({ bits: 1 }),
          inputQuantizer: new LowbitWrpnQuantizer({ bits: 4, mode: 'activation' }),
        }),
        quantDense({ name: 'plain', units: 2 }),
      ],
    });
    const [qc, , qd, plain] = summary(m).layers;
    expect(qc.weight).toEqual({ kind: 'ternary', bits: 2, signed: true });
    expect(qc.input).toEqual(uint(8));
    expect(qc.multiplier).toBe('mux-negate');
    expect(qc.paramsByBits).toEqual({ 2: 18, 32: 2 });
    expect(qc.output).toEqual(uint(4)); // stored at what qd quantizes it to
    expect(qd.multiplier).toBe('mux');
    expect(qd.bitOps).toBe(32 * 3 * 1 * 4);
    expect(plain.weight!.kind).toBe('float'); // no quantizers: float32, like tf.layers.dense
  });

  it('a model nested in a model is costed through its layers', () => {
    const inner = tfl.sequential({
      name: 'features',
      layers: [tfl.layers.dense({ name: 'h', units: 6, inputShape: [4] }), tfl.layers.dense({ name: 'h2', units: 5 })],
    });
    const x = tfl.input({ shape: [4], name: 'x_in' });
    const y = tfl.layers
      .dense({ name: 'head', units: 2 })
      .apply(inner.apply(x) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const s = summary(tfl.model({ inputs: x, outputs: y }));
    expect(s.layers.map((r) => r.name)).toEqual(['features/h', 'features/h2', 'head']);
    expect(s.totals.macs).toBe(4 * 6 + 6 * 5 + 5 * 2);
    expect(s.totals.notCosted).toBe(0);
  });

  it('a shared layer is costed on every call, its weights once', () => {
    const shared = tfl.layers.dense({ units: 4, name: 'shared' });
    const x1 = tfl.input({ shape: [4], name: 'x1' });
    const x2 = tfl.input({ shape: [4], name: 'x2' });
    const sum = tfl.layers
      .add({ name: 'sum' })
      .apply([shared.apply(x1), shared.apply(x2)] as tfl.SymbolicTensor[]) as tfl.SymbolicTensor;
    const s = summary(tfl.model({ inputs: [x1, x2], outputs: sum }));
    expect(s.layers.map((r) => r.name)).toEqual(['shared#1', 'shared#2', 'sum']);
    expect(s.layers[0].macs).toBe(16);
    expect(s.layers[1].macs).toBe(16);
    expect(s.totals.params).toBe(20);
    expect(s.layers[1].energy.weightReadPj).toBe(0);
    expect(s.layers[0].energy.weightReadPj).toBeCloseTo((20 * 32 * 1300) / 64, 9);
  });

  it('totals count MACs per operand pair', () => {
    const m = tfl.sequential({
      layers: [
        quantDense({ units: 5, inputShape: [4], useBias: false, ...parts({ weight: int(4), input: uint(4) }) }),
        tfl.layers.dense({ units: 3 }),
        quantDense({ units: 2, useBias: false, ...parts({ weight: int(4), input: uint(4) }) }),
      ],
    });
    expect(summary(m, { batchSize: 2 }).totals.macsByPrecision).toEqual({
      'int4 x uint4': 2 * (20 + 6),
      'fp32 x fp32': 2 * 15,
    });
  });

  it('lowbit conv and depthwise layers report their own precision', () => {
    const m = tfl.sequential({
      layers: [
        quantConv2d({
          inputShape: [6, 6, 1],
          filters: 2,
          kernelSize: 3,
          useBias: false,
          ...parts({ weight: binary, input: binary }),
        }),
        quantDepthwiseConv2d({ kernelSize: 3, useBias: false, ...parts({ weight: pow2(4), input: uint(8) }) }),
      ],
    });
    const [c, dw] = summary(m).layers;
    expect(c.multiplier).toBe('xor');
    expect(c.bitOps).toBe(c.macs);
    expect(c.accumulator).toEqual({ kind: 'int', bits: 1 + 1 + Math.ceil(Math.log2(9)) });
    expect(c.energy.multiplyPj).toBeCloseTo(c.macs * 0.003125, 9);
    expect(dw.multiplier).toBe('barrel-shifter');
    expect(dw.macs).toBe(2 * 2 * 2 * 9);
    expect(dw.paramsByBits).toEqual({ 4: 18 });
  });
});

describe('summary: arithmetic', () => {
  const approx = (energyRatio: number): ArithmeticCost => ({ multiply: 'approximate', name: 'trunc4', energyRatio });

  it('an approximate multiplier costs energyRatio x the exact multiplier of its widths, from the table in use', () => {
    const s = summary(dense784x300({ weight: int(8), input: int(8), accumulatorBits: 32, arithmetic: approx(0.5) }));
    const [fc] = s.layers;
    expect(fc.multiplier).toBe('approximate');
    expect(fc.arithmetic).toEqual(approx(0.5));
    expect(fc.energy.multiplyPj).toBeCloseTo(235_200 * 0.2 * 0.5, 6);
    expect(fc.energy.accumulatePj).toBeCloseTo(235_200 * 0.1, 6);
    // The same design under another table: the ratio applies to that table's multiplier.
    const t = extendEnergyTable(energyTable, { name: 'other', intMultiplyPj: { 8: 0.8 } });
    const other = summary(
      dense784x300({ weight: int(8), input: int(8), accumulatorBits: 32, arithmetic: approx(0.5) }),
      { table: t },
    );
    expect(other.layers[0].energy.multiplyPj).toBeCloseTo(235_200 * 0.8 * 0.5, 6);
    // 4 x 4 bits: the fit at the geometric-mean width.
    const w4 = summary(dense784x300({ weight: int(4), input: uint(4), arithmetic: approx(0.25) })).layers[0];
    expect(w4.energy.multiplyPj).toBeCloseTo(235_200 * intMultiplyEnergyPj(4, 4) * 0.25, 9);
    // The references ignore the arithmetic: they are the topology at float32 and int8.
    expect(s.references.int8.computePj).toBeCloseTo(235_200 * 0.3, 6);
  });

  it('shift arithmetic costs a shifter or an exponent adder whatever the operand kinds', () => {
    const shift: ArithmeticCost = { multiply: 'shift', name: 'shift' };
    const pow2xInt = summary(dense784x300({ weight: pow2(4), input: uint(8), arithmetic: shift })).layers[0];
    expect(pow2xInt.multiplier).toBe('barrel-shifter');
    expect(pow2xInt.energy.multiplyPj).toBeCloseTo(235_200 * 8 * 0.003125, 9);
    const pow2xPow2 = summary(dense784x300({ weight: pow2(4), input: pow2(5), arithmetic: shift })).layers[0];
    expect(pow2xPow2.multiplier).toBe('exponent-adder');
    expect(pow2xPow2.energy.multiplyPj).toBeCloseTo(235_200 * (4 * 0.003125 + 0.003125), 9);
    // A pow2 kernel times a +-1 input: the operand rule would say mux; the arithmetic says shift.
    const pow2xBinary = summary(dense784x300({ weight: pow2(4), input: binary, arithmetic: shift })).layers[0];
    expect(pow2xBinary.multiplier).toBe('barrel-shifter');
    expect(pow2xBinary.energy.multiplyPj).toBeCloseTo(235_200 * 0.003125, 9);
    // Codes the quantizer reports as int (e.g. a log code in another encoding): the input is shifted.
    const intCodes = summary(dense784x300({ weight: int(4), input: uint(6), arithmetic: shift })).layers[0];
    expect(intCodes.multiplier).toBe('barrel-shifter');
    expect(intCodes.energy.multiplyPj).toBeCloseTo(235_200 * 6 * 0.003125, 9);
    const floatInput = summary(dense784x300({ weight: pow2(4), arithmetic: shift })).layers[0];
    expect(floatInput.multiplier).toBe('fp-exponent-adder');
  });

  it('log-domain accumulation: a register of ceil(log2 L) + 3 + 1 bits; subtract, table read, add per MAC', () => {
    const log: ArithmeticCost = { multiply: 'shift', name: 'log-acc', accumulate: 'log' };
    const fc = summary(dense784x300({ weight: pow2(4), input: pow2(4), arithmetic: log }, true)).layers[0];
    // Linear width 9 + 9 + ceil(log2 784) = 28 bits -> exponent range 5 bits, 3 fraction bits, zero flag.
    expect(fc.accumulator).toEqual({ kind: 'log', bits: 9, linearBits: 28 });
    const perAdd = 2 * 9 * 0.003125 + 35 * 4 * 0.003125;
    expect(logAccumulateEnergyPj(9)).toBeCloseTo(perAdd, 12);
    expect(fc.energy.accumulatePj).toBeCloseTo(235_200 * perAdd, 6);
    // The bias is added after conversion, at the linear width.
    expect(fc.energy.elementOpsPj).toBeCloseTo(300 * 28 * 0.003125, 9);
    expect(formatSummary(summary(dense784x300({ weight: pow2(4), input: pow2(4), arithmetic: log })))).toMatch(/log9/);
  });

  it('an arithmetic that cannot run on the operands, or a malformed descriptor, throws naming the layer', () => {
    expect(() => summary(dense784x300({ weight: int(8), arithmetic: approx(0.5) }))).toThrow(
      /fc\.lowbitPrecision\(\)\.arithmetic = "trunc4".*integer operands/,
    );
    expect(() =>
      summary(
        dense784x300({ weight: f32, input: int(8), arithmetic: { multiply: 'exact', name: 'lns', accumulate: 'log' } }),
      ),
    ).toThrow(/fc\.lowbitPrecision\(\)\.arithmetic\.accumulate = "log"/);
    const bad = (arithmetic: unknown) => () =>
      summary(dense784x300({ weight: int(8), input: int(8), arithmetic: arithmetic as ArithmeticCost }));
    expect(bad({ multiply: 'magic', name: 'x' })).toThrow(/fc\.lowbitPrecision\(\)\.arithmetic\.multiply = "magic"/);
    expect(bad({ multiply: 'approximate', name: 'x' })).toThrow(/arithmetic\.energyRatio = undefined/);
    expect(bad({ multiply: 'approximate', name: 'x', energyRatio: -1 })).toThrow(/arithmetic\.energyRatio = -1/);
    expect(bad({ multiply: 'shift', name: 'x', energyRatio: 0.5 })).toThrow(/only an approximate multiply/);
    expect(bad({ multiply: 'shift', name: 'x', accumulate: 'tree' })).toThrow(/arithmetic\.accumulate = "tree"/);
    expect(bad({ multiply: 'shift', name: 'x' })).not.toThrow();
    expect(bad({ multiply: 'shift', name: '' })).toThrow(LowbitConfigError);
  });
});

describe('summary: activations and memory traffic', () => {
  const net = () =>
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({ name: 'c', inputShape: [8, 8, 1], filters: 2, kernelSize: 3, useBias: false }),
        tfl.layers.maxPooling2d({ name: 'p', poolSize: 2 }),
        tfl.layers.flatten({ name: 'f' }),
        quantDense({ name: 'q', units: 3, useBias: false, ...parts({ weight: int(4), input: uint(4) }) }),
      ],
    });

  it("a tensor every reader quantizes is stored at the readers' precision (through views and pooling)", () => {
    const [c, p, f, q] = summary(net()).layers;
    expect(c.output).toEqual(uint(4));
    expect(p.output).toEqual(uint(4));
    expect(f.output).toEqual(uint(4));
    expect(q.output.kind).toBe('float'); // the model output
    expect(c.activationBits).toBe(6 * 6 * 2 * 4);
    expect(p.energy.elementOpsPj).toBeCloseTo(3 * 3 * 2 * 3 * 0.003125 * 4, 9); // 4-bit compares
  });

  it('batch norm and add keep their producers in float (a quantizer after them cannot move before them)', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ name: 'd0', units: 4, inputShape: [3] }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        quantDense({ name: 'q', units: 2, ...parts({ weight: int(4), input: uint(4) }) }),
      ],
    });
    const [d0, bn] = summary(m).layers;
    expect(d0.output.kind).toBe('float');
    expect(bn.output).toEqual(uint(4));
  });

  it('a layer that reports an output precision stores at it', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 5, inputShape: [3] }),
        quantActivation({ name: 'aq', outputQuantizer: quantizerOf(uint(2)) }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const rows = summary(m).layers;
    expect(rows[1].kind).toBe('quantizer');
    expect(rows[1].output).toEqual(uint(2));
    expect(rows[1].elementOps).toBe(5);
    expect(rows[1].activationBits).toBe(10);
    // The quantizer is fused into the previous layer's write: that layer stores 2-bit values and
    // the quantizer moves no data of its own.
    expect(rows[0].output).toEqual(uint(2));
    expect(rows[0].energy.activationWritePj).toBeCloseTo((10 * 10) / 64, 12);
    expect(rows[1].movesData).toBe(false);
    expect(rows[1].energy.memoryPj).toBe(0);
    expect(summary(m).totals.activationBits).toBe(10 + 2 * 32);
  });

  it('a quantizer whose input has another float reader is not fused', () => {
    const x = tfl.input({ shape: [3], name: 'in' });
    const d = tfl.layers.dense({ units: 5, name: 'd' }).apply(x) as tfl.SymbolicTensor;
    const q = quantActivation({ name: 'q2', outputQuantizer: quantizerOf(uint(2)) }).apply(d) as tfl.SymbolicTensor;
    const other = tfl.layers.dense({ units: 1, name: 'other' }).apply(d) as tfl.SymbolicTensor;
    const rows = summary(tfl.model({ inputs: x, outputs: [q, other] })).layers;
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.d.output.kind).toBe('float');
    expect(byName.q2.movesData).toBe(true);
    expect(byName.q2.energy.activationReadPj).toBeCloseTo((5 * 32 * 10) / 64, 12);
  });

  it('a quantActivation without quantizers and a linear activation is an inference-time identity', () => {
    const m = tfl.sequential({
      layers: [tfl.layers.dense({ units: 5, inputShape: [3] }), quantActivation({ name: 'eq' })],
    });
    const row = summary(m).layers[1];
    expect(row).toMatchObject({ kind: 'view', costed: true, elementOps: 0, movesData: false });
    expect(row.energy.totalPj).toBe(0);
  });

  it('a quantActivation with relu and an output quantizer is a fused quantizer; other activations are noted', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ name: 'd', units: 5, inputShape: [3] }),
        quantActivation({ name: 'relu_q', activation: 'relu', outputQuantizer: quantizerOf(uint(4)) }),
        quantActivation({ name: 'tanh_q', activation: 'tanh', outputQuantizer: quantizerOf(int(4)) }),
        quantActivation({ name: 'in_q', activation: 'tanh', inputQuantizer: quantizerOf(int(2)) }),
      ],
    });
    const s = summary(m);
    const [d, reluQ, tanhQ, inQ] = s.layers;
    expect(reluQ).toMatchObject({ kind: 'quantizer', elementOps: 5, movesData: false, output: uint(4) });
    expect(d.output).toEqual(uint(4));
    // Its input is stored at uint4 and it writes int4: not fused, it moves data.
    expect(tanhQ).toMatchObject({ kind: 'quantizer', movesData: true, output: int(4) });
    expect(inQ).toMatchObject({ kind: 'activation', input: int(2), elementOps: 0 });
    expect(s.warnings).toEqual([
      'tanh_q: activation tanh (no cost model; relu and linear are free)',
      'in_q: activation tanh (no cost model; relu and linear are free)',
    ]);
  });

  it('layers are recognised by lowbitOperation(), never by class name', () => {
    // Named like a lowbit dense, reports a precision, but says nothing about what it computes.
    class LowbitLooksLikeDense extends MysteryLayer {
      static override className = 'LowbitLooksLikeDense';
      lowbitPrecision() {
        return { weight: int(4), input: int(4) };
      }
    }
    // Any class name: what it computes comes from lowbitOperation().
    class Frobnicator extends MysteryLayer {
      static override className = 'Frobnicator';
      lowbitOperation() {
        return 'activation' as const;
      }
      lowbitPrecision() {
        return { output: uint(2) };
      }
    }
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 5, inputShape: [3] }),
        new LowbitLooksLikeDense({ name: 'fake' }),
        new Frobnicator({ name: 'frob' }),
      ],
    });
    const [, fake, frob] = summary(m).layers;
    expect(fake.costed).toBe(false);
    expect(fake.warnings).toEqual(['layer type LowbitLooksLikeDense has no cost model']);
    expect(frob).toMatchObject({ kind: 'quantizer', costed: true, output: uint(2) });
    class Strange extends MysteryLayer {
      static override className = 'Strange';
      lowbitOperation() {
        return 'fft';
      }
    }
    const odd = summary(tfl.sequential({ layers: [new Strange({ name: 'odd', inputShape: [3] })] })).layers[0];
    expect(odd.warnings).toEqual(['lowbitOperation() "fft" has no cost model']);
  });

  it('batch size scales MACs and activations; weights are read once per batch', () => {
    const one = summary(net());
    const four = summary(net(), { batchSize: 4 });
    for (let i = 0; i < one.layers.length; i++) {
      expect(four.layers[i].macs).toBe(4 * one.layers[i].macs);
      expect(four.layers[i].activationBits).toBe(4 * one.layers[i].activationBits);
      expect(four.layers[i].energy.weightReadPj).toBe(one.layers[i].energy.weightReadPj);
      expect(four.layers[i].energy.computePj).toBeCloseTo(4 * one.layers[i].energy.computePj, 9);
    }
  });

  it('weights from DRAM at 1300 pJ per 64 bits; activations from SRAM by size', () => {
    const s = summary(net());
    const c = s.layers[0];
    expect(c.paramBits).toBe(18 * 32);
    expect(c.energy.weightReadPj).toBeCloseTo((18 * 32 * 1300) / 64, 9);
    // input 8x8 float32 read, 6x6x2 4-bit output written: both tiny, the 8 KB SRAM
    expect(c.energy.activationReadPj).toBeCloseTo((64 * 32 * 10) / 64, 9);
    expect(c.energy.activationWritePj).toBeCloseTo((72 * 4 * 10) / 64, 9);
    const sram = summary(net(), { weightMemory: 'sram' }).layers[0];
    expect(sram.energy.weightReadPj).toBeCloseTo((18 * 32 * 10) / 64, 9);
    const dram = summary(net(), { activationMemory: 'dram' }).layers[0];
    expect(dram.energy.activationWritePj).toBeCloseTo((72 * 4 * 1300) / 64, 9);
  });

  it('a replaced table changes every energy', () => {
    const t = extendEnergyTable(energyTable, { name: 'double-dram', dramRead64Pj: 2600 });
    const a = summary(net());
    const b = summary(net(), { table: t });
    expect(b.table.name).toBe('double-dram');
    expect(b.layers[0].energy.weightReadPj).toBeCloseTo(2 * a.layers[0].energy.weightReadPj, 9);
  });
});

describe('summary: unknown layers and errors', () => {
  it('reports an unknown layer type as not costed, with a warning, never as free', () => {
    const m = tfl.sequential({
      layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), new MysteryLayer({ name: 'mystery' })],
    });
    const s = summary(m);
    const row = s.layers[1];
    expect(row.costed).toBe(false);
    expect(s.totals.notCosted).toBe(1);
    expect(s.warnings).toEqual(['mystery (MysteryLayer): not costed: layer type MysteryLayer has no cost model']);
    expect(formatSummary(s)).toMatch(/mystery \(MysteryLayer\) +\(-1, 4\) .*not costed/);
  });

  it('warns about activation functions it does not cost', () => {
    const m = tfl.sequential({
      layers: [tfl.layers.dense({ name: 'out', units: 4, inputShape: [3], activation: 'softmax' })],
    });
    const s = summary(m);
    expect(s.layers[0].costed).toBe(true);
    expect(s.warnings).toEqual(['out: activation softmax (no cost model; relu and linear are free)']);
  });

  it.each([
    ['batchSize 0', { batchSize: 0 }, /batchSize = 0/],
    ['batchSize 1.5', { batchSize: 1.5 }, /batchSize = 1.5/],
    ['batchSize "8"', { batchSize: '8' }, /batchSize = "8"/],
    ['unknown option', { batch: 2 }, /options\.batch/],
    ['weightMemory', { weightMemory: 'flash' }, /weightMemory = "flash"/],
    ['activationMemory', { activationMemory: 'hbm' }, /activationMemory = "hbm"/],
  ])('%s -> LowbitConfigError', (_label, options, message) => {
    const m = dense784x300();
    expect(() => summary(m, options as never)).toThrow(LowbitConfigError);
    expect(() => summary(m, options as never)).toThrow(message);
  });

  it('rejects an invalid table with LowbitDataError', () => {
    expect(() => summary(dense784x300(), { table: { ...energyTable, dramRead64Pj: -1 } })).toThrow(LowbitDataError);
  });

  it('rejects a layer that is not connected into the model', () => {
    const loose = { name: 'loose', layers: [tfl.layers.dense({ units: 2, name: 'lonely' })] };
    expect(() => summary(loose as never)).toThrow(LowbitConfigError);
    expect(() => summary(loose as never)).toThrow(/lonely/);
  });

  it('an empty model costs nothing and has no ratios', () => {
    const s = summary(tfl.sequential({ name: 'empty' }));
    expect(s.layers).toEqual([]);
    expect(s.totals.energyPj).toBe(0);
    expect(s.ratios.vsFloat32.energyPj).toBeNull();
  });

  it('rejects something that is not a model', () => {
    expect(() => summary({} as never)).toThrow(/model = \{\}/);
    expect(() => summary(null as never)).toThrow(LowbitConfigError);
  });

  it('rejects a layer that reports a malformed precision', () => {
    const m = dense784x300({ weight: { kind: 'int', bits: 0, signed: true }, input: int(8) } as never);
    expect(() => summary(m)).toThrow(/fc\.lowbitPrecision\(\)\.weight\.bits = 0/);
  });

  it('creates no tensors', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    summary(m);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) formatSummary(summary(m, { batchSize: i + 1 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});
