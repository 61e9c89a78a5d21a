/**
 * `printSummary(model)`: the model's cost as a text table in the style of Larq's
 * `larq.models.summary`, for a quick look in a terminal or a notebook. One row per layer call:
 * name, class, the precision of its weight, input and output, parameters per bit width, weight
 * memory, MACs per operand precision (one column per `weight x input` pair), bit-ops and energy;
 * a totals row; then the totals next to the same model in float32 and their ratio.
 *
 * ```ts
 * import { printSummary } from '@lowbit/hw-model';
 * printSummary(model);                                          // prints with console.log
 * const text = printSummary(model, { batchSize: 8, print: () => {} }); // only returns it
 * ```
 *
 * The table is drawn by hand (no table library): `cli-table3`, the usual choice, pulls in
 * `@colors/colors`, which requires Node's `os` and `util`, and hw-model is bundled for browsers;
 * the column aligner is a dozen lines.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { checkModelSummary } from './check-args.js';
import { formatOperand } from './operand-name.js';
import { summary, type LayerCost, type ModelSummary, type SummaryOptions } from './summary.js';
import { bitWidths, formatArithmetic, int, kib, pj, ratio } from './text-cells.js';

export interface PrintSummaryOptions extends SummaryOptions {
  /** Where the table goes (default `console.log`); the table is returned either way. */
  print?: (text: string) => void;
}

/** A column: two header lines (name, unit) and whether its cells align right. */
interface Column {
  head: [string, string];
  right: boolean;
}

/** Boxed table with the title in its top border; `sections` are separated by rules. */
function box(title: string, columns: Column[], sections: string[][][]): string[] {
  const all = sections.flat();
  const width = columns.map((c, i) =>
    Math.max(c.head[0].length, c.head[1].length, ...all.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (columns[i].right ? cell.padStart(width[i]) : cell.padEnd(width[i]))).join('  ')} |`;
  const inner = width.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1) + 2;
  const rule = `+${'-'.repeat(inner)}+`;
  const top = `+${title}${'-'.repeat(Math.max(0, inner - title.length))}+`;
  const heads = [0, 1].map((h) => columns.map((c) => c.head[h as 0 | 1]));
  const out = [top, line(heads[0])];
  if (heads[1].some((c) => c !== '')) out.push(line(heads[1]));
  for (const section of sections) out.push(rule, ...section.map(line));
  out.push(rule);
  return out;
}

const pairOf = (r: LayerCost) => `${formatOperand(r.weight)} x ${formatOperand(r.input)}`;

function layerTable(s: ModelSummary): string[] {
  const widths = bitWidths(s);
  const pairs = Object.keys(s.totals.macsByPrecision);
  const columns: Column[] = [
    { head: ['Layer', ''], right: false },
    { head: ['Class', ''], right: false },
    { head: ['Weight', 'prec.'], right: false },
    { head: ['Input', 'prec.'], right: false },
    { head: ['Output', 'prec.'], right: false },
    { head: ['Arithmetic', ''], right: false },
    ...widths.map((b): Column => ({ head: [`# ${b}-bit`, 'params'], right: true })),
    { head: ['Memory', '(KiB)'], right: true },
    ...pairs.map((p): Column => ({ head: [p, 'MACs'], right: true })),
    { head: ['Bit-ops', ''], right: true },
    { head: ['Energy', '(pJ)'], right: true },
  ];
  const rows = s.layers.map((r) => {
    const name = `${r.name}${r.costed && r.warnings.length ? ' *' : ''}`;
    if (!r.costed) {
      const dashes = (n: number) => Array<string>(n).fill('-');
      return [
        name,
        r.className,
        '-',
        '-',
        '-',
        '-',
        ...dashes(widths.length),
        '-',
        ...dashes(pairs.length),
        'not costed',
        '-',
      ];
    }
    return [
      name,
      r.className,
      formatOperand(r.weight),
      formatOperand(r.input),
      formatOperand(r.output),
      r.macs > 0 ? formatArithmetic(r.arithmetic) : '-',
      ...widths.map((b) => int(r.paramsByBits[b] ?? 0)),
      kib(r.paramBits),
      ...pairs.map((p) => (r.macs > 0 && pairOf(r) === p ? int(r.macs) : '0')),
      int(r.bitOps),
      pj(r.energy.totalPj),
    ];
  });
  const t = s.totals;
  const total = [
    'Total',
    '',
    '',
    '',
    '',
    '',
    ...widths.map((b) => int(t.paramsByBits[b] ?? 0)),
    kib(t.paramBits),
    ...pairs.map((p) => int(t.macsByPrecision[p] ?? 0)),
    int(t.bitOps),
    pj(t.energyPj),
  ];
  return box(`${s.modelName} stats`, columns, [rows, [total]]);
}

function totalsTable(s: ModelSummary): string[] {
  const t = s.totals;
  const f = s.references.float32;
  const r = s.ratios.vsFloat32;
  const columns: Column[] = [
    { head: ['', ''], right: false },
    { head: ['this model', ''], right: true },
    { head: ['float32', ''], right: true },
    { head: ['ratio', ''], right: true },
  ];
  const rows = [
    ['Params', int(t.params), int(f.params), ''],
    ['Weight memory (KiB)', kib(t.paramBits), kib(f.paramBits), ratio(r.paramBits)],
    ['MACs', int(t.macs), int(f.macs), ''],
    ['Bit-ops', int(t.bitOps), int(f.bitOps), ratio(r.bitOps)],
    ['Activations written (KiB)', kib(t.activationBits), kib(f.activationBits), ratio(r.activationBits)],
    ['Energy (pJ)', pj(t.energyPj), pj(f.energyPj), ratio(r.energyPj)],
    ['  compute (pJ)', pj(t.computePj), pj(f.computePj), ratio(r.computePj)],
    ['  memory (pJ)', pj(t.memoryPj), pj(f.memoryPj), ratio(r.memoryPj)],
  ];
  return box(`${s.modelName} summary`, columns, [rows]);
}

/** The Larq-style text of a summary already computed (what {@link printSummary} prints). */
export function formatLayerStats(s: ModelSummary): string {
  checkModelSummary('s', s);
  const lines = [
    `batch ${s.batchSize} | table ${s.table.name} | weights read from ${s.weightMemory.toUpperCase()}, ` +
      `activations in ${s.activationMemory.toUpperCase()}`,
    ...layerTable(s),
    ...totalsTable(s),
  ];
  const starred = s.layers.some((r) => r.costed && r.warnings.length > 0);
  if (s.warnings.length) {
    lines.push(`Warnings${starred ? ' (rows marked * have a note below)' : ''}:`, ...s.warnings.map((w) => `  - ${w}`));
  }
  return lines.join('\n');
}

/**
 * Costs `model` ({@link summary}, same options) and prints the Larq-style table with `print`
 * (default `console.log`). Returns the printed text.
 */
export function printSummary(model: LayersModel, options: PrintSummaryOptions = {}): string {
  if (options === null || typeof options !== 'object') {
    throw new LowbitConfigError('options', options, 'expected an object of summary options and print');
  }
  const { print = console.log, ...rest } = options;
  if (typeof print !== 'function')
    throw new LowbitConfigError('print', print, 'expected a function (text: string) => void');
  const text = formatLayerStats(summary(model, rest));
  print(text);
  return text;
}
