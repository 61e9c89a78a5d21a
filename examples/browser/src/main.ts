/**
 * The page: trains the demo model (src/demo.ts) and writes every number it computes into the DOM,
 * each under a `data-testid` (the loss of each step also as `data-value`, unrounded), so a person
 * reads it and the browser test (src/page.test.ts) asserts on it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  buildModel,
  chooseBackend,
  compile,
  costRows,
  exportMaxError,
  exportWeights,
  makeData,
  trainStep,
} from './demo.js';

/** Training steps the page runs. */
const STEPS = 25;

const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`the page has no [data-testid="${id}"]`);
  return el;
};

function cell(row: HTMLTableRowElement, text: string, testId?: string, value?: number): void {
  const td = row.insertCell();
  td.textContent = text;
  if (testId) td.dataset.testid = testId;
  if (value !== undefined) td.dataset.value = String(value);
}

async function run(): Promise<void> {
  const status = byTestId('status');
  const backend = await chooseBackend();
  byTestId('backend').textContent = backend;
  byTestId('tfjs-version').textContent = tf.version.tfjs;
  status.textContent = 'training';

  const model = buildModel();
  compile(model);
  const { x, y } = makeData();
  const lossRows = byTestId<HTMLTableSectionElement>('loss-rows');
  for (let step = 1; step <= STEPS; step++) {
    const r = await trainStep(model, x, y);
    const row = lossRows.insertRow();
    row.dataset.testid = 'loss-row';
    cell(row, String(step), 'step');
    cell(row, r.loss.toFixed(4), 'loss', r.loss);
    cell(row, `${(100 * r.accuracy).toFixed(1)}%`, 'accuracy', r.accuracy);
    if (step === 1) byTestId('tensors-first').textContent = String(r.tensors);
    if (step === STEPS) byTestId('tensors-last').textContent = String(r.tensors);
    await tf.nextFrame(); // let the page paint each step
  }

  const cost = costRows(model);
  const summaryRows = byTestId<HTMLTableSectionElement>('summary-rows');
  for (const r of cost.rows) {
    const row = summaryRows.insertRow();
    row.dataset.testid = 'summary-row';
    row.dataset.layer = r.name;
    cell(row, r.name, 'layer');
    cell(row, r.weight, 'weight');
    cell(row, r.input, 'input');
    cell(row, r.macs.toLocaleString('en'), 'macs', r.macs);
    cell(row, r.bitOps.toLocaleString('en'), 'bit-ops', r.bitOps);
    cell(row, r.energyPj.toFixed(2), 'energy-pj', r.energyPj);
  }
  const ratio = byTestId('energy-ratio');
  ratio.textContent = cost.energyVsFloat32 === null ? '-' : cost.energyVsFloat32.toFixed(3);
  ratio.dataset.value = String(cost.energyVsFloat32);

  const file = exportWeights(model);
  const link = byTestId<HTMLAnchorElement>('export-link');
  link.href = URL.createObjectURL(new Blob([JSON.stringify(file)], { type: 'application/json' }));
  link.textContent = `lowbit-quantized-weights.json (${file.layers.length} layers)`;
  const maxError = exportMaxError(model);
  byTestId('export-max-error').textContent = maxError.toExponential(2);
  byTestId('export-max-error').dataset.value = String(maxError);

  tf.dispose([x, y]);
  status.textContent = 'done';
  status.dataset.state = 'done';
}

run().catch((e: unknown) => {
  const status = byTestId('status');
  status.textContent = `error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  status.dataset.state = 'error';
  console.error(e);
});
