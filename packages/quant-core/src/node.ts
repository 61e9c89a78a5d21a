/**
 * `@lowbit/quant-core/node`: the Node-only part of quant-core, file IO on the local file system
 * (`model.json` + a content-named `weights.<sha16>.bin`, with a SHA-256 integrity record, saved
 * crash-safely). It is a separate entry point so the main entry `@lowbit/quant-core` never
 * reaches `node:*` modules and bundles for the browser.
 *
 * ```ts
 * import { quantDense } from '@lowbit/quant-core';
 * import { loadModel, saveModel } from '@lowbit/quant-core/node';
 * await saveModel(model, './out/net');
 * const back = await loadModel('./out/net');
 * ```
 *
 * Without tfjs-layers models, the same directory format through the model-directory helpers
 * (what `saveModel`/`loadModel` run on): a crash-safe write of model.json fields, weight specs and
 * bytes, and a bounded, checked read of them.
 *
 * ```ts
 * import { readModelDir, writeModelDir } from '@lowbit/quant-core/node';
 * await writeModelDir('./out/net', { modelJSON: { modelTopology, format: 'layers-model' }, weightSpecs, weights });
 * const { modelJSON, weightSpecs, weightData } = await readModelDir('./out/net');
 * ```
 */
export {
  fileIO,
  saveModel,
  loadModel,
  registerFileIORouter,
  MODEL_JSON_FILE,
  WEIGHTS_FILE,
  type LowbitModelJSON,
  type WeightsFileIntegrity,
} from './io/file-io.js';
export {
  writeModelDir,
  readModelDir,
  weightsFileName,
  MAX_MODEL_JSON_BYTES,
  type ModelDirContent,
  type ModelDirRead,
  type ReadModelOptions,
  type WriteModelDirOptions,
  type SaveStep,
} from './io/model-dir.js';
