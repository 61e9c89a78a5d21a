/**
 * Argument checks of hw-model's public functions that take its own records (a summary, cost
 * totals, an accumulator, a tfjs layer, shapes): a LowbitConfigError naming the argument and the
 * field, never a TypeError from deep inside a formatter.
 */
import {
  LowbitConfigError,
  checkBoolean,
  checkFinite,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
} from '@lowbit/quant-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { AccumulatorSpec } from './mac-energy.js';
import type { Shape } from './layer-work.js';
import type { CostTotals, LayerCost, ModelSummary } from './summary.js';

type Layer = LayersModel['layers'][number];

/** A plain object (not null, not an array). */
export function checkRecord(argument: string, value: unknown, expected: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LowbitConfigError(argument, value, `expected ${expected}`);
  }
  return value as Record<string, unknown>;
}

const count = (argument: string, v: unknown) => checkFinite(argument, v, { min: 0 });

function countRecord(argument: string, v: unknown): void {
  const r = checkRecord(argument, v, 'an object of counts');
  for (const [k, n] of Object.entries(r)) count(`${argument}[${JSON.stringify(k)}]`, n);
}

const TOTALS_KEYS = [
  'params',
  'paramsByBits',
  'paramBits',
  'macs',
  'macsByPrecision',
  'bitOps',
  'elementOps',
  'activationBits',
  'peakActivationBits',
  'computePj',
  'memoryPj',
  'energyPj',
  'notCosted',
] as const;

/** A {@link CostTotals} as `summary()` makes it: every count finite and >= 0. */
export function checkTotals(argument: string, value: unknown): CostTotals {
  const t = checkRecord(argument, value, 'cost totals (summary(model).totals)');
  checkKnownKeys(argument, t, TOTALS_KEYS);
  for (const key of TOTALS_KEYS) {
    if (key === 'paramsByBits' || key === 'macsByPrecision') countRecord(`${argument}.${key}`, t[key]);
    else count(`${argument}.${key}`, t[key]);
  }
  return t as unknown as CostTotals;
}

const RATIO_KEYS = ['energyPj', 'computePj', 'memoryPj', 'bitOps', 'paramBits', 'activationBits'];

function checkRatios(argument: string, value: unknown): void {
  const r = checkRecord(argument, value, 'cost ratios');
  checkKnownKeys(argument, r, RATIO_KEYS);
  for (const key of RATIO_KEYS) if (r[key] !== null) count(`${argument}.${key}`, r[key]);
}

function checkStrings(argument: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((w) => typeof w === 'string')) {
    throw new LowbitConfigError(argument, value, 'expected an array of strings');
  }
}

const LAYER_KEYS = [
  'name',
  'className',
  'kind',
  'outputShape',
  'costed',
  'warnings',
  'weight',
  'input',
  'output',
  'reportsPrecision',
  'movesData',
  'multiplier',
  'arithmetic',
  'accumulator',
  'fanIn',
  'params',
  'paramsByBits',
  'paramBits',
  'macs',
  'bitOps',
  'elementOps',
  'activationBits',
  'energy',
];

function checkLayerRow(argument: string, value: unknown): LayerCost {
  const r = checkRecord(argument, value, 'a layer row of summary(model).layers');
  checkKnownKeys(argument, r, LAYER_KEYS);
  for (const key of ['name', 'className', 'kind']) {
    if (typeof r[key] !== 'string') throw new LowbitConfigError(`${argument}.${key}`, r[key], 'expected a string');
  }
  checkBoolean(`${argument}.costed`, r.costed);
  checkStrings(`${argument}.warnings`, r.warnings);
  checkShape(`${argument}.outputShape`, r.outputShape);
  for (const key of ['params', 'paramBits', 'macs', 'bitOps', 'elementOps', 'activationBits']) {
    count(`${argument}.${key}`, r[key]);
  }
  countRecord(`${argument}.paramsByBits`, r.paramsByBits);
  countRecord(`${argument}.energy`, r.energy);
  checkRecord(`${argument}.output`, r.output, 'an operand { kind, bits, signed }');
  return r as unknown as LayerCost;
}

const SUMMARY_KEYS = [
  'modelName',
  'batchSize',
  'table',
  'weightMemory',
  'activationMemory',
  'layers',
  'totals',
  'references',
  'ratios',
  'warnings',
] as const;

/** A {@link ModelSummary} as `summary()` makes it (what the formatters print). */
export function checkModelSummary(argument: string, value: unknown): ModelSummary {
  const s = checkRecord(argument, value, 'a summary(model) result');
  checkKnownKeys(argument, s, SUMMARY_KEYS);
  if (typeof s.modelName !== 'string')
    throw new LowbitConfigError(`${argument}.modelName`, s.modelName, 'expected a string');
  checkInteger(`${argument}.batchSize`, s.batchSize, 1, 2 ** 31);
  const table = checkRecord(`${argument}.table`, s.table, '{ name, source }');
  if (typeof table.name !== 'string')
    throw new LowbitConfigError(`${argument}.table.name`, table.name, 'expected a string');
  checkOneOf(`${argument}.weightMemory`, s.weightMemory, ['dram', 'sram']);
  checkOneOf(`${argument}.activationMemory`, s.activationMemory, ['sram', 'dram']);
  if (!Array.isArray(s.layers))
    throw new LowbitConfigError(`${argument}.layers`, s.layers, 'expected an array of layer rows');
  s.layers.forEach((row, i) => checkLayerRow(`${argument}.layers[${i}]`, row));
  checkTotals(`${argument}.totals`, s.totals);
  const refs = checkRecord(`${argument}.references`, s.references, '{ float32, int8 }');
  checkTotals(`${argument}.references.float32`, refs.float32);
  checkTotals(`${argument}.references.int8`, refs.int8);
  const ratios = checkRecord(`${argument}.ratios`, s.ratios, '{ vsFloat32, vsInt8 }');
  checkRatios(`${argument}.ratios.vsFloat32`, ratios.vsFloat32);
  checkRatios(`${argument}.ratios.vsInt8`, ratios.vsInt8);
  checkStrings(`${argument}.warnings`, s.warnings);
  return s as unknown as ModelSummary;
}

/** An accumulator description `{ kind, bits, linearBits? }`. */
export function checkAccumulator(argument: string, value: unknown): AccumulatorSpec {
  const a = checkRecord(argument, value, '{ kind, bits, linearBits? }');
  checkKnownKeys(argument, a, ['kind', 'bits', 'linearBits']);
  checkOneOf(`${argument}.kind`, a.kind, ['int', 'float', 'log']);
  checkInteger(`${argument}.bits`, a.bits, 1, 128);
  if (a.linearBits !== undefined) checkInteger(`${argument}.linearBits`, a.linearBits, 1, 128);
  return a as unknown as AccumulatorSpec;
}

/** A tfjs layer (anything with `getClassName` and `getConfig`). */
export function checkLayer(argument: string, value: unknown): Layer {
  const l = value as { getClassName?: unknown; getConfig?: unknown } | null;
  if (
    l === null ||
    typeof l !== 'object' ||
    typeof l.getClassName !== 'function' ||
    typeof l.getConfig !== 'function'
  ) {
    throw new LowbitConfigError(argument, value, 'expected a tfjs layer');
  }
  return value as Layer;
}

/** A tfjs shape: an array of integers >= 0 or null (unknown), of rank >= `minRank`. */
export function checkShape(argument: string, value: unknown, minRank = 0): Shape {
  if (!Array.isArray(value) || !value.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
    throw new LowbitConfigError(argument, value, 'expected a shape: an array of integers >= 0 or null');
  }
  if (value.length < minRank) throw new LowbitConfigError(argument, value, `expected rank >= ${minRank}`);
  return value as Shape;
}
