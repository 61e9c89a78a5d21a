/**
 * The report page: one self-contained HTML file (inline CSS and SVG charts, no scripts, no
 * external resources), readable offline and printable.
 *
 * ```ts
 * writeFileSync('index.html', reportHtml(summary, await renderCharts(summary.rows)));
 * ```
 */
import type { SuiteSummary } from '../suite-summary.js';
import { COLUMNS, formatEnergy } from '../table.js';
import type { RenderedCharts } from './charts.js';

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { padding: 0.35em 0.7em; border-bottom: 1px solid #e3e3e3; }
th { background: #f4f4f4; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; }
figcaption { color: #555; font-size: 0.85em; max-width: 560px; }
code { background: #f4f4f4; padding: 0 0.2em; }
details { margin: 0.5em 0; }
`;

export function reportHtml(s: SuiteSummary, charts: RenderedCharts): string {
  const e = escapeHtml;
  const head = `<tr>${COLUMNS.map((c) => `<th class="${c.align === 'right' ? 'num' : ''}">${e(c.title)}</th>`).join('')}</tr>`;
  const body = s.rows
    .map(
      (r) =>
        `<tr>${COLUMNS.map((c) => `<td class="${c.align === 'right' ? 'num' : ''}">${e(c.value(r))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const configs = s.rows
    .map(
      (r) =>
        `<li><b>${e(r.label)}</b>: ${e(r.configuration)}${r.notes.map((n) => `<br><span class="meta">${e(n)}</span>`).join('')}</li>`,
    )
    .join('\n');
  const layerTables = s.rows
    .map(
      (
        r,
      ) => `<details><summary>${e(r.label)}: ${r.layers.length} costed layers, ${e(formatEnergy(r.energyPj))}</summary>
<table><tr><th>layer</th><th>type</th><th>W x A</th><th class="num">MACs</th><th class="num">bit-ops</th><th class="num">compute</th><th class="num">memory</th><th class="num">total</th></tr>
${r.layers.map((l) => `<tr><td>${e(l.name)}</td><td>${e(l.className)}</td><td>${e(l.precision)}</td><td class="num">${l.macs.toLocaleString('en-US')}</td><td class="num">${l.bitOps.toLocaleString('en-US')}</td><td class="num">${e(formatEnergy(l.computePj))}</td><td class="num">${e(formatEnergy(l.memoryPj))}</td><td class="num">${e(formatEnergy(l.energyPj))}</td></tr>`).join('\n')}
</table>${r.warnings.length ? `<p class="meta">hw-model notes: ${r.warnings.map(e).join('; ')}</p>` : ''}</details>`,
    )
    .join('\n');
  const skipped = s.skipped.length
    ? `<h2>Not run</h2><ul>${s.skipped.map((k) => `<li><b>${e(k.id)}</b>: ${e(k.reason)}</li>`).join('')}</ul>`
    : '';
  const st = s.settings;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lowbit suite: ${e(s.dataset)} ${e(s.date)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>lowbit suite: low-precision techniques compared</h1>
<p class="meta">${e(s.dataset === 'fashion' ? 'Fashion-MNIST' : 'MNIST')}, ${st.trainSamples.toLocaleString('en-US')} training / ${st.testSamples.toLocaleString('en-US')} test images, ${st.epochs} epoch(s), batch ${st.batchSize}, seed ${st.seed}${st.quick ? ', quick mode' : ''}; net ${e(st.net)}.<br>
Backend ${e(s.backend.name)} (${e(s.backend.reason)}). ${e(s.date)}, ${s.totalSeconds.toFixed(0)} s in all. Command: <code>${e(s.command)}</code></p>
<h2>Comparison</h2>
<table id="comparison">
${head}
${body}
</table>
<p class="meta">Costs from <code>@lowbit/hw-model</code> for one inference (batch 1), technology table ${e(s.hwModel.table)}, weights read from ${e(s.hwModel.weightMemory.toUpperCase())}, activations in ${e(s.hwModel.activationMemory.toUpperCase())}. "vs fp32": energy against the same topology in float32. Time: training wall time on this machine (post-training techniques: calibration time).</p>
<h2>Charts</h2>
<div class="charts">
<figure class="chart" id="chart-pareto">${charts.pareto}<figcaption>Higher and further left is better; the dashed line joins the techniques no other one beats on both accuracy and energy.</figcaption></figure>
<figure class="chart" id="chart-bitops">${charts.bitOps}<figcaption>Bit-ops weigh each multiply-accumulate by the product of its operand widths.</figcaption></figure>
<figure class="chart" id="chart-layer-energy">${charts.layerEnergy}<figcaption>Where the energy goes: each bar is one technique's model, split by layer (compute and memory traffic together).</figcaption></figure>
${charts.trainingCurves ? `<figure class="chart" id="chart-curves">${charts.trainingCurves}<figcaption>Loss after each training batch. Panels have their own scales: WAGE minimises a sum of squared errors, the others cross-entropy.</figcaption></figure>` : ''}
</div>
<h2>Configurations</h2>
<ul>
${configs}
</ul>
${skipped}
<h2>Per-layer costs</h2>
${layerTables}
<p class="meta">Machine-readable results: <code>summary.json</code> beside this file.</p>
</body>
</html>
`;
}
