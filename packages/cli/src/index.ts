/**
 * @lowbit/cli: the `lowbit` command (summary, export, quantize, suite), also usable from code.
 *
 * ```ts
 * import { runCli, exportModel } from '@lowbit/cli';
 * const code = await runCli(['summary', './out/lenet']);   // prints the table, resolves with 0
 * const doc = exportModel(model);                            // what `lowbit export` writes
 * ```
 */
export { runCli, createProgram, CLI_VERSION } from './program.js';
export { processIO, spawnInherit, CliError, CliUsageError, type CliIO, type SpawnRequest } from './io.js';
export { checkModelDir, openModel } from './model-dir.js';
export { loadTechniques, TECHNIQUE_PACKAGES, type TechniqueLoad } from './techniques.js';
export { summaryCommand, type SummaryCommandOptions } from './commands/summary.js';
export {
  exportCommand,
  exportModel,
  exportTensor,
  flatLayers,
  CODES_FORMATS,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type CodesFormat,
  type ExportCommandOptions,
  type ExportedLayer,
  type ExportedTensor,
  type QuantizedModelExport,
  type SkippedLayer,
} from './commands/export.js';
export { quantizeCommand, readQuantizeConfig, type QuantizeCommandOptions } from './commands/quantize.js';
export { suiteCommand, findCheckout, SUITE_WORKSPACE, type SuiteCommandOptions } from './commands/suite.js';
