/**
 * Opening a model directory written by quant-core's `saveModel` / `fileIO` (model.json +
 * weights file): the path is checked first so a mistake reads as one line naming `<model-dir>`,
 * then the technique packages are imported and the model loaded with quant-core's `loadModel`.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitError } from '@lowbit/quant-core/errors';
import { loadModel, MODEL_JSON_FILE } from '@lowbit/quant-core/node';
import { ensureBackend } from './backend.js';
import { CliError, type CliIO } from './io.js';
import { loadTechniques, techniqueWarnings } from './techniques.js';

/** `dir` resolved against `cwd`, after checking it is a directory holding model.json. */
export async function checkModelDir(dir: string, cwd: string, argument = '<model-dir>'): Promise<string> {
  const path = resolve(cwd, dir);
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new CliError(argument, dir, 'no such file or directory');
  if (!s.isDirectory())
    throw new CliError(argument, dir, 'not a directory; expected a directory holding model.json and its weights file');
  const json = await stat(join(path, MODEL_JSON_FILE)).catch(() => undefined);
  if (!json?.isFile()) {
    throw new CliError(
      argument,
      dir,
      `holds no ${MODEL_JSON_FILE}; expected a model saved with saveModel(model, dir) or model.save(fileIO(dir))`,
    );
  }
  return path;
}

/**
 * Loads the model in `dir` (relative to `io.cwd`). Technique packages that fail to import are
 * reported on stderr; file defects and unknown layer classes become a {@link CliError}.
 */
export async function openModel(dir: string, io: CliIO): Promise<tfl.LayersModel> {
  const path = await checkModelDir(dir, io.cwd);
  await ensureBackend();
  const techniques = await loadTechniques();
  for (const w of techniqueWarnings(techniques)) io.err(`${w}\n`);
  try {
    return await loadModel(path);
  } catch (e) {
    if (!(e instanceof LowbitError)) throw e;
    // An unknown class may come from a technique package that failed to import: say which.
    const unbuildable = /could not build the model/.test(e.message) && techniques.failed.length > 0;
    const hint = unbuildable ? ` (not imported: ${techniques.failed.map((f) => f.name).join(', ')})` : '';
    throw CliError.inside('<model-dir>', dir, `${e.message}${hint}`);
  }
}
