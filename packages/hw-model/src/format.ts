/**
 * Printing a {@link ModelSummary}: a plain-text table in the style of Larq's model summary (one
 * parameter column per bit width) with bit-ops and energy columns, the same as Markdown, and JSON.
 *
 * ```ts
 * const s = summary(model);
 * console.log(formatSummary(s));                            // terminal
 * fs.writeFileSync('cost.md', summaryToMarkdown(s));        // reports
 * fs.writeFileSync('cost.json', summaryToJSON(s));          // machines
 * ```
 */
import { checkModelSummary } from './check-args.js';
import { formatOperand } from './operand-name.js';
import type { CostRatios, CostTotals, LayerCost, ModelSummary } from './summary.js';
import { bitWidths, formatAccumulator, formatArithmetic, int, kib, pj, ratio, shape } from './text-cells.js';

function rowCells(r: LayerCost, widths: number[]): string[] {
  const name = `${r.name} (${r.className})${r.costed && r.warnings.length ? ' *' : ''}`;
  if (!r.costed)
    return [name, shape(r.outputShape), '-', ...widths.map(() => '-'), '-', 'not costed', '-', '-', '-', '-', '-'];
  const arithmetic = r.arithmetic ? ` (${formatArithmetic(r.arithmetic)})` : '';
  const precision = r.weight ? `${formatOperand(r.weight)} x ${formatOperand(r.input)}${arithmetic}` : '-';
  return [
    name,
    shape(r.outputShape),
    precision,
    ...widths.map((b) => (r.paramsByBits[b] ? int(r.paramsByBits[b]) : '0')),
    kib(r.paramBits),
    int(r.macs),
    int(r.bitOps),
    formatAccumulator(r.accumulator),
    pj(r.energy.computePj),
    pj(r.energy.memoryPj),
    pj(r.energy.totalPj),
  ];
}

function headers(widths: number[]): string[] {
  return [
    'Layer (type)',
    'Output shape',
    'W x A',
    ...widths.map((b) => `# ${b}-bit`),
    'Weights KiB',
    'MACs',
    'Bit-ops',
    'Acc',
    'Compute pJ',
    'Memory pJ',
    'Total pJ',
  ];
}

function totalCells(t: CostTotals, widths: number[]): string[] {
  return [
    'Total',
    '',
    '',
    ...widths.map((b) => int(t.paramsByBits[b] ?? 0)),
    kib(t.paramBits),
    int(t.macs),
    int(t.bitOps),
    '',
    pj(t.computePj),
    pj(t.memoryPj),
    pj(t.energyPj),
  ];
}

function comparisonRows(s: ModelSummary): string[][] {
  const { float32, int8 } = s.references;
  const t = s.totals;
  const line = (label: string, pick: (x: CostTotals) => number, key: keyof CostRatios, fmt: (n: number) => string) => [
    label,
    fmt(pick(t)),
    fmt(pick(float32)),
    ratio(s.ratios.vsFloat32[key]),
    fmt(pick(int8)),
    ratio(s.ratios.vsInt8[key]),
  ];
  return [
    line('Energy (pJ)', (x) => x.energyPj, 'energyPj', pj),
    line('  compute (pJ)', (x) => x.computePj, 'computePj', pj),
    line('  memory (pJ)', (x) => x.memoryPj, 'memoryPj', pj),
    line('Bit-ops', (x) => x.bitOps, 'bitOps', int),
    line('Weight memory (KiB)', (x) => x.paramBits, 'paramBits', kib),
    line('Activations written (KiB)', (x) => x.activationBits, 'activationBits', kib),
  ];
}
const COMPARISON_HEADERS = ['', 'this model', 'float32', 'ratio', 'int8', 'ratio'];

function alignTable(head: string[], body: string[][], rightFrom: number): string[] {
  const cols = head.length;
  const width = Array.from({ length: cols }, (_, c) =>
    Math.max(head[c].length, ...body.map((r) => (r[c] ?? '').length)),
  );
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (c >= rightFrom ? cell.padStart(width[c]) : cell.padEnd(width[c])))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(width.reduce((a, b) => a + b, 0) + 2 * (cols - 1));
  return [rule, fmt(head), rule, ...body.map(fmt), rule];
}

function header(s: ModelSummary): string {
  return `Model: ${s.modelName} | batch ${s.batchSize} | table ${
    s.table.name
  } | weights read from ${s.weightMemory.toUpperCase()}, activations in ${s.activationMemory.toUpperCase()}`;
}

/** A plain-text table for the terminal. */
export function formatSummary(s: ModelSummary): string {
  checkModelSummary('s', s);
  const widths = bitWidths(s);
  const rows = s.layers.map((r) => rowCells(r, widths));
  const table = alignTable(headers(widths), [...rows, totalCells(s.totals, widths)], 3);
  // Put a rule before the totals line.
  table.splice(table.length - 2, 0, table[0]);
  const t = s.totals;
  const lines = [
    header(s),
    ...table,
    `Params: ${int(t.params)} (${
      widths.map((b) => `${int(t.paramsByBits[b] ?? 0)} x ${b}-bit`).join(', ') || 'none'
    }), weight memory ${kib(t.paramBits)} KiB`,
    `MACs: ${int(t.macs)}, bit-ops (MACs x b_w x b_a): ${int(t.bitOps)}, element ops: ${int(t.elementOps)}`,
    `MACs by precision (w x a): ${
      Object.entries(t.macsByPrecision)
        .map(([k, v]) => `${k}: ${int(v)}`)
        .join(', ') || 'none'
    }`,
    `Activations written: ${kib(t.activationBits)} KiB, largest layer (inputs + output): ${kib(
      t.peakActivationBits,
    )} KiB`,
    '',
    'Same topology, all operands float32 / all int8 (32-bit accumulators):',
    ...alignTable(COMPARISON_HEADERS, comparisonRows(s), 1),
  ];
  if (s.warnings.length)
    lines.push(
      '',
      `Warnings${starred(s) ? ' (rows marked * have a note below)' : ''}:`,
      ...s.warnings.map((w) => `  - ${w}`),
    );
  return lines.join('\n');
}

const starred = (s: ModelSummary) => s.layers.some((r) => r.costed && r.warnings.length > 0);

const mdRow = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
const mdRule = (n: number, rightFrom: number) =>
  `|${Array.from({ length: n }, (_, i) => (i >= rightFrom ? ' ---: ' : ' --- ')).join('|')}|`;

/** The same content as Markdown tables (for reports and docs). */
export function summaryToMarkdown(s: ModelSummary): string {
  checkModelSummary('s', s);
  const widths = bitWidths(s);
  const head = headers(widths);
  const t = s.totals;
  const total = totalCells(t, widths).map((c, i) => (i === 0 ? '**Total**' : c));
  const lines = [
    `**${header(s)}**`,
    '',
    mdRow(head),
    mdRule(head.length, 3),
    ...s.layers.map((r) => mdRow(rowCells(r, widths))),
    mdRow(total),
    '',
    `Params: ${int(t.params)}; MACs: ${int(t.macs)} (${
      Object.entries(t.macsByPrecision)
        .map(([k, v]) => `${k}: ${int(v)}`)
        .join(', ') || 'none'
    }); bit-ops: ${int(t.bitOps)}; activations written: ${kib(t.activationBits)} KiB (largest layer ${kib(
      t.peakActivationBits,
    )} KiB).`,
    '',
    mdRow(['Same topology', 'this model', 'float32', 'ratio', 'int8', 'ratio']),
    mdRule(6, 1),
    ...comparisonRows(s).map((r) => mdRow(r.map((c) => c.trim()))),
  ];
  if (s.warnings.length)
    lines.push(
      '',
      `**Warnings**${starred(s) ? ' (rows marked * have a note below)' : ''}`,
      '',
      ...s.warnings.map((w) => `- ${w}`),
    );
  return lines.join('\n');
}

/** The whole summary as indented JSON (every number, every layer). */
export function summaryToJSON(s: ModelSummary): string {
  checkModelSummary('s', s);
  return JSON.stringify(s, null, 2);
}
