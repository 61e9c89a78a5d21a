/**
 * `lowbit quantize <model-dir> --config <file.json> --out <dir>`: quant-core's
 * `quantizeModel(model, config)` on a saved float model, saved again with `saveModel`. The config
 * file is quantizeModel's config as JSON: keys are layer names, tfjs layer classes or "default";
 * values are `null` (keep float) or `{ weightBits, inputBits, kernelQuantizer, inputQuantizer,
 * outputQuantizer, arithmetic }`, parts as alias strings or `{ className, config }`.
 *
 * ```json
 * { "default": { "weightBits": 4, "inputBits": 4 }, "out": null }
 * ```
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { quantizeModel, type QuantizeModelConfig } from '@lowbit/quant-core';
import { LowbitError } from '@lowbit/quant-core/errors';
import { saveModel } from '@lowbit/quant-core/node';
import { printSummary } from '@lowbit/hw-model';
import { CliError, type CliIO } from '../io.js';
import { checkModelDir, openModel } from '../model-dir.js';
import { flatLayers } from './export.js';

export interface QuantizeCommandOptions {
  config: string;
  out: string;
  summary?: boolean;
}

/** Reads and parses the `--config` file (an object keyed by layer name, layer class or "default"). */
export async function readQuantizeConfig(file: string, cwd: string): Promise<QuantizeModelConfig> {
  const path = resolve(cwd, file);
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new CliError('--config', file, 'no such file');
  if (!s.isFile()) throw new CliError('--config', file, 'not a file; expected a JSON file of quantizeModel config');
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError('--config', file, `not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CliError('--config', file, 'expected a JSON object keyed by layer name, layer class or "default"');
  }
  return json as QuantizeModelConfig;
}

export async function quantizeCommand(modelDir: string, options: QuantizeCommandOptions, io: CliIO): Promise<void> {
  const config = await readQuantizeConfig(options.config, io.cwd);
  const inputPath = await checkModelDir(modelDir, io.cwd);
  const outPath = resolve(io.cwd, options.out);
  if (outPath === inputPath)
    throw new CliError('--out', options.out, 'is the input model directory; choose another directory');
  const existing = await stat(outPath).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new CliError('--out', options.out, 'exists and is not a directory');

  const model = await openModel(modelDir, io);
  try {
    let quantized;
    try {
      quantized = await quantizeModel(model, config);
    } catch (e) {
      if (!(e instanceof LowbitError)) throw e;
      // quantizeModel names the config entry (config.<key>.<field>), the value and what is allowed.
      throw CliError.inside('--config', options.config, e.message);
    }
    try {
      await saveModel(quantized, outPath);
      const before = new Map(flatLayers(model).map((l) => [l.name, l.getClassName()]));
      let converted = 0;
      for (const l of flatLayers(quantized)) {
        const was = before.get(l.name);
        if (was !== undefined && was !== l.getClassName()) {
          converted++;
          io.out(`  ${l.name}: ${was} -> ${l.getClassName()}\n`);
        }
      }
      io.out(`saved ${options.out}: ${converted} layer${converted === 1 ? '' : 's'} quantized\n`);
      if (options.summary) printSummary(quantized, { print: (text) => io.out(`${text}\n`) });
    } finally {
      quantized.dispose();
    }
  } finally {
    model.dispose();
  }
}
