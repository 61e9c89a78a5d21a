/**
 * The report's charts as Vega-Lite specs, rendered to SVG strings in Node with vega's headless
 * view (`renderer: 'none'`, no canvas, no browser, no network).
 *
 * ```ts
 * const svg = await renderSvg(paretoSpec(summary.rows));
 * ```
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { TechniqueRow } from '../suite-summary.js';

const FONT = { font: 'Helvetica, Arial, sans-serif', labelFontSize: 11, titleFontSize: 12 };
const CONFIG = {
  axis: FONT,
  legend: FONT,
  header: FONT,
  title: { fontSize: 14, font: FONT.font },
  view: { stroke: '#ddd' },
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Points with no other point both cheaper (or as cheap) and more accurate. */
export function paretoFront(rows: Array<{ energyPj: number; accuracy: number; label: string }>): string[] {
  const sorted = [...rows].sort((a, b) => a.energyPj - b.energyPj || b.accuracy - a.accuracy);
  const front: string[] = [];
  let best = -Infinity;
  for (const r of sorted) {
    if (r.accuracy > best) {
      front.push(r.label);
      best = r.accuracy;
    }
  }
  return front;
}

/** Accuracy against estimated energy (log scale), the Pareto front as a line. */
export function paretoSpec(rows: TechniqueRow[]): TopLevelSpec {
  const front = new Set(paretoFront(rows));
  const values = rows.map((r) => ({
    technique: r.label,
    text: r.label,
    energy: r.energyPj / 1e6,
    accuracy: 100 * r.accuracy,
    pareto: front.has(r.label) ? 'on the Pareto front' : 'dominated',
  }));
  const minEnergy = Math.min(...values.map((v) => v.energy));
  const maxEnergy = Math.max(...values.map((v) => v.energy));
  // Points that (nearly) coincide share one label, or their labels print over each other.
  values.forEach((v, i) => {
    const first = values.findIndex(
      (u) => Math.abs(Math.log10(u.energy / v.energy)) < 0.02 && Math.abs(u.accuracy - v.accuracy) < 1,
    );
    if (first < i) {
      values[first].text += ` / ${v.technique}`;
      v.text = '';
    }
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Accuracy vs estimated energy per inference',
    width: 520,
    height: 320,
    config: CONFIG,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.pareto === 'on the Pareto front'" }],
        mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'energy', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'accuracy', type: 'quantitative' },
          order: { field: 'energy' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 120 },
        encoding: {
          // Room on the right for the labels of the costliest points.
          x: {
            field: 'energy',
            type: 'quantitative',
            scale: { type: 'log', nice: false, domain: [minEnergy / 1.5, maxEnergy * 4] },
            title: 'estimated energy per inference (uJ, log scale)',
          },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            scale: { zero: false, padding: 20 },
            title: 'test accuracy (%)',
          },
          color: { field: 'technique', type: 'nominal', legend: null },
          shape: { field: 'pareto', type: 'nominal', title: null, legend: null },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11 },
        encoding: {
          x: { field: 'energy', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          text: { field: 'text' },
          color: { field: 'technique', type: 'nominal', legend: null },
        },
      },
    ],
  };
}

/** Stacked bars: each technique's energy per layer (compute + memory traffic). */
export function layerEnergySpec(rows: TechniqueRow[]): TopLevelSpec {
  // The weight layers by name (every suite net names them alike); pooling, batch norm and
  // activation quantizers together, or the legend outgrows the chart.
  const named = new Set(['conv1', 'conv2', 'fc1', 'logits']);
  const values = rows.flatMap((r) =>
    r.layers.map((l) => ({
      technique: r.label,
      layer: named.has(l.name) ? l.name : 'other layers',
      energy: l.energyPj / 1e6,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Estimated energy per layer (compute + memory traffic)',
    width: 520,
    height: 28 * Math.max(rows.length, 2),
    config: CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'technique', type: 'nominal', sort: rows.map((r) => r.label), title: null },
      x: { field: 'energy', type: 'quantitative', stack: 'zero', title: 'energy per inference (uJ)' },
      color: {
        field: 'layer',
        type: 'nominal',
        title: 'layer',
        scale: { domain: ['conv1', 'conv2', 'fc1', 'logits', 'other layers'], scheme: 'tableau10' },
      },
      order: { field: 'layer' },
      tooltip: [{ field: 'technique' }, { field: 'layer' }, { field: 'energy', format: '.3f' }],
    },
  };
}

/** Bit-ops (MACs x b_w x b_a) per technique, log scale. */
export function bitOpsSpec(rows: TechniqueRow[]): TopLevelSpec {
  // A bar on a log scale needs a positive base (0 maps to minus infinity): a decade below the least.
  const least = Math.min(...rows.map((r) => r.bitOps / 1e6));
  const base = 10 ** (Math.floor(Math.log10(Math.max(1e-6, least))) - 1);
  const values = rows.map((r) => ({ technique: r.label, bitOps: r.bitOps / 1e6, base }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Bit-ops per inference (MACs x weight bits x activation bits)',
    width: 520,
    height: 28 * Math.max(rows.length, 2),
    config: CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'technique', type: 'nominal', sort: rows.map((r) => r.label), title: null },
          x: {
            field: 'base',
            type: 'quantitative',
            scale: { type: 'log', domainMin: base },
            title: 'million bit-ops (log scale)',
          },
          x2: { field: 'bitOps' },
          color: { field: 'technique', type: 'nominal', legend: null },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: {
          y: { field: 'technique', type: 'nominal', sort: rows.map((r) => r.label) },
          x: { field: 'bitOps', type: 'quantitative', scale: { type: 'log' } },
          text: { field: 'bitOps', type: 'quantitative', format: ',.1f' },
        },
      },
    ],
  };
}

/** Training loss per batch, one panel per trained technique (losses differ: WAGE uses SSE). */
export function trainingCurvesSpec(rows: TechniqueRow[]): TopLevelSpec {
  const trained = rows.filter((r) => r.curve.length > 0);
  const values = trained.flatMap((r) =>
    r.curve.map((p) => ({ technique: `${r.label} (${r.lossName})`, step: p.step, loss: p.loss })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Training loss per batch',
    config: CONFIG,
    data: { values },
    facet: { field: 'technique', type: 'nominal', title: null, sort: trained.map((r) => `${r.label} (${r.lossName})`) },
    columns: 3,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 240,
      height: 150,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'batch' },
        y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
        color: { field: 'technique', type: 'nominal', legend: null },
      },
    },
  };
}

export interface RenderedCharts {
  pareto: string;
  layerEnergy: string;
  bitOps: string;
  trainingCurves: string | null;
}

export async function renderCharts(rows: TechniqueRow[]): Promise<RenderedCharts> {
  const anyCurve = rows.some((r) => r.curve.length > 0);
  return {
    pareto: await renderSvg(paretoSpec(rows)),
    layerEnergy: await renderSvg(layerEnergySpec(rows)),
    bitOps: await renderSvg(bitOpsSpec(rows)),
    trainingCurves: anyCurve ? await renderSvg(trainingCurvesSpec(rows)) : null,
  };
}
