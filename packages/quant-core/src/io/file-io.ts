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
 * for a conv + dense model, per attempt). Here tfjs's loader runs as it is (so, with the weights
 * present, the layers are built with tfjs's fast zero initialization, not their initializers:
 * a corrupt topology asking for huge layers costs an allocation, never minutes of random draws),
 * inside an engine scope: when it throws, the scope's tensors (the decoded weights) and the
 * variables the half-built model registered are disposed. The load awaits nothing but
 * in-memory promises, so no other task's tensors fall into the scope.
 */
export async function loadModel(dir: string, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  const handler = fileIO(dir);
  const artifacts = await handler.load!();
  const path = join(checkDir(dir), MODEL_JSON_FILE);
  const engine = tf.engine();
  const variablesBefore = new Set(Object.keys(engine.registeredVariables));
  engine.startScope();
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: async () => artifacts }, options);
  } catch (e) {
    engine.endScope();
    for (const [name, v] of Object.entries(engine.registeredVariables)) if (!variablesBefore.has(name)) v.dispose();
    const message = (e as Error).message;
    // tfjs throws ValueErrors for both; a topology it cannot build names an unknown class or a bad config.
    const building = artifacts.weightData == null || /unknown|improper config|deserializ|not a class/i.test(message);
    const what = building ? 'tfjs could not build the model' : 'the weights do not fit the model';
    throw new LowbitDataError(path, `${what}: ${message}`);
  }
  // Success: keep every tensor made in the scope (the model owns what it kept; tfjs disposed the rest).
  engine.endScope(scopeTensors(engine));
  return model;
}

/** The tensors tracked by the engine's active scope (tfjs has no public call to end a scope keeping all). */
function scopeTensors(engine: ReturnType<typeof tf.engine>): tf.Tensor[] {
  const track = (engine as unknown as { state?: { activeScope?: { track?: tf.Tensor[] } } }).state?.activeScope?.track;
  return Array.isArray(track) ? track.filter((t) => !t.isDisposed) : [];
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
