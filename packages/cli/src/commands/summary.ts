/**
 * `lowbit summary <model-dir>`: hw-model's Larq-style cost table of a saved model (or, with
 * `--json`, every number of hw-model's `summary(model)`).
 */
import { printSummary, summary, summaryToJSON, type SummaryOptions } from '@lowbit/hw-model';
import type { CliIO } from '../io.js';
import { openModel } from '../model-dir.js';

export interface SummaryCommandOptions {
  batchSize?: number;
  weightMemory?: SummaryOptions['weightMemory'];
  activationMemory?: SummaryOptions['activationMemory'];
  json?: boolean;
}

export async function summaryCommand(modelDir: string, options: SummaryCommandOptions, io: CliIO): Promise<void> {
  const model = await openModel(modelDir, io);
  const costOptions: SummaryOptions = {};
  if (options.batchSize !== undefined) costOptions.batchSize = options.batchSize;
  if (options.weightMemory !== undefined) costOptions.weightMemory = options.weightMemory;
  if (options.activationMemory !== undefined) costOptions.activationMemory = options.activationMemory;
  try {
    if (options.json) io.out(`${summaryToJSON(summary(model, costOptions))}\n`);
    else printSummary(model, { ...costOptions, print: (text) => io.out(`${text}\n`) });
  } finally {
    model.dispose();
  }
}
