/**
 * Node file IO for tfjs models without `@tensorflow/tfjs-node`: `fileIO(dir)` is a tfjs
 * `io.IOHandler` that saves a model as `dir/model.json` + one weights file and loads it back.
 *
 * model.json is the standard tfjs layout (`modelTopology`, `weightsManifest`, ...) plus a
 * `lowbitIntegrity` record holding the byte length and SHA-256 of every weights file, so a
 * truncated, extended or edited weights file fails to load with a {@link LowbitDataError} that
 * names the file and the expected and found values (tfjs alone would read garbage or fail
 * obscurely). Stock tfjs loaders ignore the extra key, so the files stay loadable elsewhere.
 *
 * Saves are crash-safe (model-dir.ts): the weights file is named after its content
 * (`weights.<16 hex digits of its SHA-256>.bin`), written to a temporary file, fsynced and renamed
 * into place, then model.json likewise, last, so a save killed at any point leaves the old model
 * or the new one, loadable intact; the next save removes what a killed one left behind.
 * Directories written by earlier releases (`model.json` + `weights.bin`) still load.
 *
 * Loads check sizes before allocating (model.json at most 64 MiB; every weights file's size
 * against the integrity record and the manifest's shapes before reading it), then the SHA-256.
 *
 * `node:*` modules are reached only through `@lowbit/quant-core/node`, so the main entry
 * `@lowbit/quant-core` bundles for the browser.
 *
 * Prefer {@link loadModel} to `tfl.loadLayersModel(fileIO(dir))`: when the weights do not fit the
 * topology, tfjs's own loader leaks the model it built and the weights it decoded.
 *
 * ```ts
 * registerFileIORouter();                                        // optional: 'file://' URLs
 * await model.save('file://./out/lenet');
 * await model.save(fileIO('./out/lenet'));                       // or saveModel(model, './out/lenet')
 * const back = await tfl.loadLayersModel(fileIO('./out/lenet')); // or loadModel('./out/lenet')
 * ```
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import {
  LEGACY_WEIGHTS_FILE,
  MODEL_JSON_FILE,
  readModelDir,
  writeModelDir,
  type LowbitModelJSON,
  type WriteModelDirOptions,
} from './model-dir.js';

export { MODEL_JSON_FILE, type LowbitModelJSON, type WeightsFileIntegrity } from './model-dir.js';
/**
 * The weights file name of directories written by earlier releases (they still load). New saves
 * name the weights file after its content: `weights.<16 hex digits of its SHA-256>.bin`, the name
 * `weightsManifest[0].paths[0]` of model.json gives.
 */
export const WEIGHTS_FILE = LEGACY_WEIGHTS_FILE;

/**
 * A tfjs IOHandler reading and writing `model.json` + its weights file in directory `dir` (created
 * on save; a `file://` prefix is accepted). Throws {@link LowbitConfigError} for a bad `dir`.
 */
export function fileIO(dir: string): tf.io.IOHandler {
  const root = checkDir(dir);
  return {
    save: (artifacts: tf.io.ModelArtifacts) => saveArtifacts(root, artifacts),
    load: () => loadArtifacts(root),
  };
}

/** `model.save(fileIO(dir), config)`. */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  config?: tf.io.SaveConfig,
): Promise<tf.io.SaveResult> {
  if (!(model instanceof tfl.LayersModel)) throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel');
  return model.save(fileIO(dir), config);
}

/**
 * Loads the model saved in `dir`: `tfl.loadLayersModel(fileIO(dir), options)`, except that a
 * rejected load leaves no tensor behind. File defects throw {@link LowbitDataError}; a topology
 * tfjs cannot build (an unregistered layer class, say) or weights that do not fit it (other
 * shapes, other names) throw a LowbitDataError naming model.json and quoting tfjs's message.
 *
 * ```ts
 * const model = await loadModel('./out/lenet');
 * ```
 *
 * Why not tfjs's loader as it is: when the weights do not fit the topology, tfjs-layers 4.22
 * throws after building the model and decoding the weights, and disposes neither (8 tensors
 * for a conv + dense model, per attempt). Here the model is built from the topology alone, then
 * the weights are decoded and set inside a `tf.tidy`; when that fails the model is disposed.
 * (The price: the layers' initializers run once before the weights overwrite them.)
 */
export async function loadModel(dir: string, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  const handler = fileIO(dir);
  const artifacts = await handler.load!();
  const path = join(checkDir(dir), MODEL_JSON_FILE);
  const { weightData, weightSpecs, ...topology } = artifacts;
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: async () => topology }, options);
  } catch (e) {
    throw new LowbitDataError(path, `tfjs could not build the model: ${(e as Error).message}`);
  }
  if (weightData == null || weightSpecs == null) return model;
  try {
    await setWeights(model, weightData, weightSpecs, options?.strict ?? true);
  } catch (e) {
    model.optimizer?.dispose();
    model.dispose();
    throw new LowbitDataError(path, `the weights do not fit the model: ${(e as Error).message}`);
  }
  return model;
}

/** Decodes the weights and sets them (optimizer weights too), as tfjs's loader does, leaking nothing. */
async function setWeights(
  model: tfl.LayersModel,
  weightData: tf.io.WeightData,
  specs: tf.io.WeightsManifestEntry[],
  strict: boolean,
): Promise<void> {
  const optimizerNames = specs.filter((s) => s.group === 'optimizer').map((s) => s.name);
  const optimizerTensors = tf.tidy(() => {
    const decoded = tf.io.decodeWeights(weightData, specs);
    const modelWeights: tf.NamedTensorMap = {};
    for (const s of specs) if (s.group !== 'optimizer') modelWeights[s.name] = decoded[s.name]!;
    model.loadWeights(modelWeights, strict);
    return optimizerNames.map((name) => decoded[name]!);
  });
  try {
    if (model.optimizer != null && optimizerTensors.length > 0) {
      await model.optimizer.setWeights(optimizerNames.map((name, i) => ({ name, tensor: optimizerTensors[i]! })));
    }
  } finally {
    tf.dispose(optimizerTensors);
  }
}

let routerRegistered = false;

/**
 * Opt-in: lets `model.save('file://dir')` and `tfl.loadLayersModel('file://dir')` use
 * {@link fileIO}, as they do with tfjs-node. Idempotent. Do not call it when tfjs-node is loaded
 * (it registers its own `file://` router, and tfjs refuses a URL two routers claim).
 */
export function registerFileIORouter(): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // tfjs routers return null for URLs they do not handle (its own http/indexeddb routers do);
  // the IORouter type in 4.22 just does not say so.
  const route = (url: string | string[]): tf.io.IOHandler =>
    typeof url === 'string' && url.startsWith('file://') ? fileIO(url) : (null as unknown as tf.io.IOHandler);
  tf.io.registerSaveRouter(route);
  tf.io.registerLoadRouter(route);
}

function checkDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new LowbitConfigError('dir', dir, 'expected a non-empty directory path string');
  }
  const stripped = dir.startsWith('file://') ? dir.slice('file://'.length) : dir;
  if (stripped.length === 0) throw new LowbitConfigError('dir', dir, 'expected a directory path after file://');
  return stripped;
}

/**
 * Saves `artifacts` into `dir` crash-safely (see model-dir.ts); `options.onStep` is a test hook
 * called after each step. Throws {@link LowbitConfigError} for artifacts fileIO cannot write
 * (a binary topology, weight specs that do not describe the weight data).
 */
export async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  options: WriteModelDirOptions = {},
): Promise<tf.io.SaveResult> {
  if (artifacts === null || typeof artifacts !== 'object')
    throw new LowbitConfigError('artifacts', artifacts, 'expected tfjs ModelArtifacts');
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new LowbitConfigError(
      'modelTopology',
      artifacts.modelTopology,
      'fileIO saves JSON topologies (LayersModel) only',
    );
  }
  const weights = new Uint8Array(
    artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  );
  const modelJSON: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  for (const key of [
    'trainingConfig',
    'signature',
    'userDefinedMetadata',
    'modelInitializer',
    'initializerSignature',
  ] as const) {
    if (artifacts[key] != null) modelJSON[key] = artifacts[key];
  }
  await writeModelDir(
    dir,
    { modelJSON: modelJSON as unknown as LowbitModelJSON, weightSpecs: artifacts.weightSpecs ?? [], weights },
    options,
  );
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { modelJSON, weightSpecs, weightData } = await readModelDir(dir);
  return tf.io.getModelArtifactsForJSON(modelJSON, async () => [weightSpecs, weightData]);
}
