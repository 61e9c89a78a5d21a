/**
 * The suite's result as plain data (what `summary.json` holds): one row per technique with its
 * accuracy and the hardware costs `@lowbit/hw-model` estimates at batch 1.
 *
 * ```ts
 * const row = techniqueRow(result);
 * row.energyPj; // estimated energy of one inference, pJ
 * ```
 */
import { summary, type LayerCost } from '@lowbit/hw-model';
import type { SuiteOptions, TechniqueId } from './options.js';
import { thinCurve, type CurvePoint, type TechniqueResult } from './techniques.js';

export interface LayerRow {
  name: string;
  className: string;
  /** e.g. "int4 x uint4", "float32 x float32". */
  precision: string;
  macs: number;
  bitOps: number;
  computePj: number;
  memoryPj: number;
  energyPj: number;
}

export interface TechniqueRow {
  id: TechniqueId;
  label: string;
  configuration: string;
  kind: 'trained' | 'post-training';
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  params: number;
  weightMemoryKiB: number;
  /** Activations written during one inference (batch 1), KiB. */
  activationMemoryKiB: number;
  macs: number;
  bitOps: number;
  computePj: number;
  memoryPj: number;
  energyPj: number;
  /** Energy of this model / the same topology in float32. */
  energyVsFloat32: number | null;
  seconds: number;
  lossName: string;
  curve: CurvePoint[];
  layers: LayerRow[];
  notes: string[];
  warnings: string[];
}

export interface SuiteSummary {
  tool: '@lowbit/suite';
  date: string;
  command: string;
  dataset: SuiteOptions['dataset'];
  backend: { name: string; reason: string };
  settings: {
    trainSamples: number;
    testSamples: number;
    calibrationSamples: number;
    epochs: number;
    batchSize: number;
    seed: number;
    quick: boolean;
    net: string;
  };
  hwModel: { batchSize: 1; table: string; weightMemory: string; activationMemory: string };
  rows: TechniqueRow[];
  /** Techniques asked for that did not produce a row, and why. */
  skipped: Array<{ id: TechniqueId; reason: string }>;
  totalSeconds: number;
}

const operand = (p: LayerCost['weight']) =>
  p
    ? p.kind === 'float'
      ? `float${p.bits}`
      : `${p.kind === 'int' ? (p.signed ? 'int' : 'uint') : p.kind}${p.bits}`
    : '-';

export function techniqueRow(r: TechniqueResult): TechniqueRow {
  const s = summary(r.model, { batchSize: 1 });
  const t = s.totals;
  const layers = s.layers
    .filter((l) => l.energy.totalPj > 0)
    .map((l) => ({
      name: l.name,
      className: l.className,
      precision: l.macs > 0 ? `${operand(l.weight)} x ${operand(l.input)}` : '-',
      macs: l.macs,
      bitOps: l.bitOps,
      computePj: l.energy.computePj,
      memoryPj: l.energy.memoryPj,
      energyPj: l.energy.totalPj,
    }));
  return {
    id: r.id,
    label: r.label,
    configuration: r.configuration,
    kind: r.kind,
    accuracy: r.accuracy,
    params: t.params,
    weightMemoryKiB: t.paramBits / 8 / 1024,
    activationMemoryKiB: t.activationBits / 8 / 1024,
    macs: t.macs,
    bitOps: t.bitOps,
    computePj: t.computePj,
    memoryPj: t.memoryPj,
    energyPj: t.energyPj,
    energyVsFloat32: s.ratios.vsFloat32.energyPj,
    seconds: r.seconds,
    lossName: r.lossName,
    curve: thinCurve(r.curve),
    layers,
    notes: r.notes,
    warnings: s.warnings,
  };
}
