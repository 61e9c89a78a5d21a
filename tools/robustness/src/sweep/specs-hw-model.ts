/** Spec tables of @lowbit/hw-model's main entry. */
import * as tfl from '@tensorflow/tfjs-layers';
import * as hw from '@lowbit/hw-model';
import * as qc from '@lowbit/quant-core';
import type { PackageSpecs, SkipTable } from './spec.js';

const int4 = (): qc.OperandPrecision => ({ kind: 'int', bits: 4, signed: true });
const uint8 = (): qc.OperandPrecision => ({ kind: 'int', bits: 8, signed: false });
const table = () => hw.horowitz45nm;

export function tinyModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      qc.quantDense({
        units: 4,
        inputShape: [6],
        kernelQuantizer: 'wrpn',
        inputQuantizer: { className: 'LowbitWrpnQuantizer', config: { mode: 'activation' } },
      }),
      qc.quantActivation({
        activation: 'relu',
        outputQuantizer: { className: 'LowbitWrpnQuantizer', config: { mode: 'activation' } },
      }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
}

let cached: hw.ModelSummary | null = null;
const modelSummary = (): hw.ModelSummary => (cached ??= hw.summary(tinyModel()));

/** Positions taking an energy table: `undefined` means the default table. */
const defaultTable = (i: number): SkipTable => ({ [String(i)]: ['undefined'] });

const widthFn = (extra: SkipTable = {}) => ({ valid: () => [8, table()], skip: { ...defaultTable(1), ...extra } });

export const hwModelSpecs: PackageSpecs = {
  validateEnergyTable: { valid: () => [table()] },
  parseEnergyTable: { valid: () => [JSON.stringify(table())] },
  extendEnergyTable: { valid: () => [table(), { name: 'mine', logicPerBitPj: 0.01 }], skip: { '1': ['{}'] } },
  intMultiplyEnergyPj: { valid: () => [4, 8, table()], skip: defaultTable(2) },
  intAddEnergyPj: widthFn(),
  fpMultiplyEnergyPj: { valid: () => [32, table()], skip: defaultTable(1) },
  fpAddEnergyPj: { valid: () => [32, table()], skip: defaultTable(1) },
  fpExponentBits: { valid: () => [32, table()], skip: defaultTable(1) },
  shifterEnergyPj: widthFn(),
  xorEnergyPj: widthFn(),
  andEnergyPj: widthFn(),
  muxEnergyPj: widthFn(),
  sramReadEnergyPj: { valid: () => [64, 8192, table()], skip: defaultTable(2) },
  dramReadEnergyPj: { valid: () => [64, table()], skip: defaultTable(1) },
  gateCountEnergyPj: { valid: () => [100, { referenceGates: 400, referenceEnergyPj: 0.2 }] },
  checkOperand: { valid: () => ['weight', int4()] },
  checkArithmeticCost: {
    valid: () => ['arithmetic', { multiply: 'approximate', name: 'mul8u', energyRatio: 0.5, accumulate: 'linear' }],
    skip: { '1.accumulate': ['undefined'] },
  },
  linearBits: { valid: () => [int4()] },
  accumulatorFor: {
    valid: () => [int4(), uint8(), 64, 16, 'linear'],
    skip: { '3': ['undefined'], '4': ['undefined'] },
  },
  multiplyEnergy: {
    valid: () => [int4(), uint8(), table(), { multiply: 'shift', name: 'shift' }],
    skip: { '2': ['undefined'], '3': ['undefined'] },
  },
  accumulateEnergyPj: { valid: () => [{ kind: 'int', bits: 16 }, table()], skip: defaultTable(1) },
  macEnergy: {
    valid: () => [int4(), uint8(), { fanIn: 64, accumulatorBits: 20, table: table() }],
    skip: { '2.accumulatorBits': ['undefined'], '2.table': ['undefined'] },
  },
  workKindOf: { valid: () => [tfl.layers.dense({ units: 2 }), undefined], skip: { '1': ['undefined', 'null', '{}'] } },
  layerWork: { valid: () => [tfl.layers.dense({ units: 2 }), [[null, 3]], [null, 2]], skip: {} },
  summary: {
    valid: () => [tinyModel(), { batchSize: 2, weightMemory: 'sram', activationMemory: 'dram', table: table() }],
    skip: {
      '1': ['undefined', '{}'],
      '1.batchSize': ['undefined'],
      '1.weightMemory': ['undefined'],
      '1.activationMemory': ['undefined'],
      '1.table': ['undefined'],
    },
  },
  compareTotals: { valid: () => [modelSummary().totals, modelSummary().references.int8] },
  formatSummary: { valid: () => [modelSummary()] },
  summaryToMarkdown: { valid: () => [modelSummary()] },
  summaryToJSON: { valid: () => [modelSummary()] },
  formatLayerStats: { valid: () => [modelSummary()] },
  printSummary: {
    valid: () => [tinyModel(), { batchSize: 1, print: () => {} }],
    skip: { '1': ['undefined', '{}'], '1.batchSize': ['undefined'] },
  },
  logAddTableShape: { valid: () => [3], skip: { '0': ['undefined'] } },
  logAccumulatorBits: { valid: () => [24, 3], skip: { '1': ['undefined'] } },
  logAccumulateEnergyPj: { valid: () => [8, table(), 3], skip: { '1': ['undefined'], '2': ['undefined'] } },
  formatOperand: { valid: () => [int4()], skip: { '0': ['undefined', 'null'] } },
};

export const hwModelPending = {};
