/**
 * The comparison table printed at the end of a run (and its Markdown form for docs/results).
 *
 * ```ts
 * console.log(formatTable(summary.rows));
 * ```
 */
import { DEFAULTS } from './options.js';
import type { SuiteSummary, TechniqueRow } from './suite-summary.js';

export interface Column {
  title: string;
  value: (r: TechniqueRow) => string;
  align: 'left' | 'right';
}

const group = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Energy in the largest readable unit. */
export function formatEnergy(pj: number): string {
  if (pj >= 1e6) return `${(pj / 1e6).toFixed(2)} uJ`;
  if (pj >= 1e3) return `${(pj / 1e3).toFixed(2)} nJ`;
  return `${pj.toFixed(1)} pJ`;
}

export const COLUMNS: Column[] = [
  { title: 'technique', value: (r) => r.label, align: 'left' },
  { title: 'test acc.', value: (r) => `${(100 * r.accuracy).toFixed(2)}%`, align: 'right' },
  { title: 'weights KiB', value: (r) => group(r.weightMemoryKiB, 1), align: 'right' },
  { title: 'activations KiB', value: (r) => group(r.activationMemoryKiB, 1), align: 'right' },
  { title: 'MACs', value: (r) => group(r.macs), align: 'right' },
  { title: 'bit-ops', value: (r) => group(r.bitOps), align: 'right' },
  { title: 'energy', value: (r) => formatEnergy(r.energyPj), align: 'right' },
  {
    title: 'vs fp32',
    value: (r) => (r.energyVsFloat32 === null ? '-' : `${r.energyVsFloat32.toFixed(3)}x`),
    align: 'right',
  },
  {
    title: 'time',
    value: (r) => `${r.seconds.toFixed(1)} s${r.kind === 'post-training' ? ' (calib.)' : ''}`,
    align: 'right',
  },
];

export function formatTable(rows: TechniqueRow[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => c.value(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (COLUMNS[i].align === 'left' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [rule, line(COLUMNS.map((c) => c.title)), rule, ...cells.map(line), rule].join('\n');
}

export function tableToMarkdown(rows: TechniqueRow[]): string {
  const head = `| ${COLUMNS.map((c) => c.title).join(' | ')} |`;
  const align = `| ${COLUMNS.map((c) => (c.align === 'left' ? '---' : '---:')).join(' | ')} |`;
  return [head, align, ...rows.map((r) => `| ${COLUMNS.map((c) => c.value(r)).join(' | ')} |`)].join('\n');
}

/** summary.md: the command, settings and table as Markdown, ready for docs/results. */
export function summaryMarkdown(s: SuiteSummary): string {
  const st = s.settings;
  return [
    `# lowbit suite: ${s.dataset === 'fashion' ? 'Fashion-MNIST' : 'MNIST'}`,
    '',
    `Produced by \`${s.command}\` on ${s.date}, backend ${s.backend.name} (${s.backend.reason}); ${s.totalSeconds.toFixed(0)} s.`,
    '',
    `Settings: ${st.trainSamples} training / ${st.testSamples} test images, ${st.epochs} epoch(s), batch ${st.batchSize}, ${st.calibrationSamples} calibration images, seed ${st.seed}${st.quick ? ', quick mode' : ''}. Net: ${st.net}. Costs: hw-model, batch 1, ${s.hwModel.table}.`,
    '',
    tableToMarkdown(s.rows),
    '',
    ...s.rows.flatMap((r) => [`- ${r.label}: ${r.configuration}`, ...r.notes.map((n) => `  - ${n}`)]),
    ...s.skipped.map((k) => `- not run: ${k.id}: ${k.reason}`),
    ...(s.settings.quick ? [] : ['', '## Main-job checks', '', ...mainJobVerdicts(s).map((v) => `- ${v}`)]),
    '',
  ].join('\n');
}

/** What the main job promises at its default settings: a converged float baseline in under 30 minutes. */
export const MAIN_JOB_TARGETS = { floatAccuracy: 0.89, seconds: 30 * 60 } as const;

/**
 * The main job's claims, each judged from the summary's own numbers: the whole training split,
 * the float32 baseline at about 90% (within a point: >= 89%) and the whole run under 30 minutes.
 * A check that cannot be judged (no float row) says so.
 */
export function mainJobVerdicts(s: SuiteSummary): string[] {
  const verdict = (ok: boolean) => (ok ? '**holds**' : '**does not hold**');
  const st = s.settings;
  const float = s.rows.find((r) => r.id === 'float');
  const full = st.trainSamples >= DEFAULTS.trainSamples;
  return [
    `${verdict(full)}: every technique trains on the whole training split (${DEFAULTS.trainSamples.toLocaleString('en-US')} images): ${st.trainSamples.toLocaleString('en-US')} used`,
    float
      ? `${verdict(float.accuracy >= MAIN_JOB_TARGETS.floatAccuracy)}: the float32 baseline reaches about 90% (>= ${(100 * MAIN_JOB_TARGETS.floatAccuracy).toFixed(1)}%): ${(100 * float.accuracy).toFixed(2)}% after ${st.epochs} epoch(s)`
      : '**inconclusive**: the float32 baseline was not run',
    `${verdict(s.totalSeconds < MAIN_JOB_TARGETS.seconds)}: the whole run takes under ${MAIN_JOB_TARGETS.seconds / 60} minutes: ${(s.totalSeconds / 60).toFixed(1)} min`,
  ];
}
