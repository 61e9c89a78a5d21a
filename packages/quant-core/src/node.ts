/**
 * `@lowbit/quant-core/node`: the Node-only part of quant-core, file IO on the local file system
 * (`model.json` + `weights.bin` with a SHA-256 integrity record). It is a separate entry point so
 * the main entry `@lowbit/quant-core` never reaches `node:*` modules and bundles for the browser.
 *
 * ```ts
 * import { quantDense } from '@lowbit/quant-core';
 * import { loadModel, saveModel } from '@lowbit/quant-core/node';
 * await saveModel(model, './out/net');
 * const back = await loadModel('./out/net');
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
