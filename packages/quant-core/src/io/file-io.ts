/**
 * Node file IO for tfjs models without `@tensorflow/tfjs-node`: `fileIO(dir)` is a tfjs
 * `io.IOHandler` that saves a model as `dir/model.json` + `dir/weights.bin` and loads it back.
 *
 * model.json is the standard tfjs layout (`modelTopology`, `weightsManifest`, ...) plus a
 * `lowbitIntegrity` record holding the byte length and SHA-256 of every weights file, so a
 * truncated, extended or edited weights file fails to load with a {@link LowbitDataError} that
 * names the file and the expected and found values (tfjs alone would read garbage or fail
 * obscurely). Stock tfjs loaders ignore the extra key, so the files stay loadable elsewhere.
 *
 * `node:fs` and `node:crypto` are imported lazily inside `save`/`load`, so importing
 * `@lowbit/quant-core` in a browser bundle does not pull in Node modules.
 *
 * ```ts
 * registerFileIORouter();                                        // optional: 'file://' URLs
 * await model.save('file://./out/lenet');
 * await model.save(fileIO('./out/lenet'));                       // or saveModel(model, './out/lenet')
 * const back = await tfl.loadLayersModel(fileIO('./out/lenet')); // or loadModel('./out/lenet')
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitDataError } from '../errors.js';

/** File names used by {@link fileIO}. */
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** What model.json records about each weights file. */
export interface WeightsFileIntegrity {
  byteLength: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
}

/** model.json as written by {@link fileIO}: the tfjs ModelJSON plus the integrity record. */
export interface LowbitModelJSON extends tf.io.ModelJSON {
  lowbitIntegrity?: Record<string, WeightsFileIntegrity>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * A tfjs IOHandler reading and writing `model.json` + `weights.bin` in directory `dir` (created on
 * save; a `file://` prefix is accepted). Throws {@link LowbitConfigError} for a bad `dir`.
 */
export function fileIO(dir: string): tf.io.IOHandler {
  const root = checkDir(dir);
  return {
    save: (artifacts: tf.io.ModelArtifacts) => saveArtifacts(root, artifacts),
    load: () => loadArtifacts(root),
  };
}

/** `model.save(fileIO(dir), config)`. */
export async function saveModel(model: tfl.LayersModel, dir: string, config?: tf.io.SaveConfig): Promise<tf.io.SaveResult> {
  if (!(model instanceof tfl.LayersModel)) throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel');
  return model.save(fileIO(dir), config);
}

/**
 * `tfl.loadLayersModel(fileIO(dir), options)`. File defects throw {@link LowbitDataError}; a
 * topology tfjs cannot build (an unregistered layer class, say) throws a LowbitDataError naming
 * model.json and quoting tfjs's message.
 */
export async function loadModel(dir: string, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  const handler = fileIO(dir);
  const artifacts = await handler.load!();
  try {
    return await tfl.loadLayersModel({ load: async () => artifacts }, options);
  } catch (e) {
    const path = await joinPath(checkDir(dir), MODEL_JSON_FILE);
    throw new LowbitDataError(path, `tfjs could not build the model: ${(e as Error).message}`);
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

async function joinPath(dir: string, file: string): Promise<string> {
  const path = await import('node:path');
  return path.join(dir, file);
}

async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  const fs = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new LowbitConfigError('modelTopology', artifacts.modelTopology, 'fileIO saves JSON topologies (LayersModel) only');
  }
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new LowbitConfigError('dir', dir, 'exists and is not a directory');
  await fs.mkdir(dir, { recursive: true });

  const weights = new Uint8Array(artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJSON: LowbitModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    lowbitIntegrity: {
      [WEIGHTS_FILE]: { byteLength: weights.byteLength, sha256: createHash('sha256').update(weights).digest('hex') },
    },
  };
  for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
    if (artifacts[key] != null) (modelJSON as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  // Write each file under a temporary name and rename it: a crash mid-save never leaves a
  // half-written file under the real name. Weights first, so model.json never points at
  // weights that are not there yet.
  const weightsPath = await joinPath(dir, WEIGHTS_FILE);
  const jsonPath = await joinPath(dir, MODEL_JSON_FILE);
  await fs.writeFile(`${weightsPath}.tmp`, weights);
  await fs.rename(`${weightsPath}.tmp`, weightsPath);
  await fs.writeFile(`${jsonPath}.tmp`, JSON.stringify(modelJSON));
  await fs.rename(`${jsonPath}.tmp`, jsonPath);
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const fs = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  const jsonPath = await joinPath(dir, MODEL_JSON_FILE);
  const text = await fs.readFile(jsonPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new LowbitDataError(jsonPath, e.code === 'ENOENT' ? 'not found (no model saved in this directory?)' : `cannot be read (${e.code ?? e.message})`);
  });
  let modelJSON: LowbitModelJSON;
  try {
    modelJSON = JSON.parse(text);
  } catch (e) {
    throw new LowbitDataError(jsonPath, `is not valid JSON (${(e as Error).message})`);
  }
  checkModelJSON(jsonPath, modelJSON);

  const integrity = modelJSON.lowbitIntegrity;
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const file of group.paths) {
        const path = await joinPath(dir, file);
        const bytes = await fs.readFile(path).catch((e: NodeJS.ErrnoException) => {
          throw new LowbitDataError(path, e.code === 'ENOENT' ? `not found (listed in ${MODEL_JSON_FILE})` : `cannot be read (${e.code ?? e.message})`);
        });
        const record = integrity?.[file];
        if (integrity && !record) throw new LowbitDataError(jsonPath, `lowbitIntegrity has no entry for weights file "${file}"`);
        if (record) {
          if (bytes.byteLength !== record.byteLength) {
            throw new LowbitDataError(
              path,
              `expected ${record.byteLength} bytes (recorded in ${MODEL_JSON_FILE}), found ${bytes.byteLength} (file ${bytes.byteLength < record.byteLength ? 'truncated' : 'extended'})`,
            );
          }
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          if (sha256 !== record.sha256) {
            throw new LowbitDataError(path, `SHA-256 mismatch: expected ${record.sha256} (recorded in ${MODEL_JSON_FILE}), found ${sha256} (file edited or corrupted)`);
          }
        }
        parts.push(bytes);
      }
    }
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const expected = specsByteLength(specs);
    if (expected !== undefined && expected !== total) {
      throw new LowbitDataError(jsonPath, `weightsManifest describes ${expected} bytes of weights, the weights files hold ${total}`);
    }
    // Copy into one fresh ArrayBuffer: Node's Buffers may be views into a shared pool.
    const data = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) (data.set(p, offset), (offset += p.byteLength));
    return [specs, data.buffer];
  });
}

/** Structural checks of a parsed model.json, so that nothing later reads a missing field. */
function checkModelJSON(jsonPath: string, json: unknown): asserts json is LowbitModelJSON {
  const fail = (problem: string): never => {
    throw new LowbitDataError(jsonPath, problem);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('expected a JSON object');
  const j = json as Record<string, unknown>;
  if (j.modelTopology === null || typeof j.modelTopology !== 'object') fail('has no modelTopology object');
  if (!Array.isArray(j.weightsManifest)) fail('has no weightsManifest array');
  for (const [g, group] of (j.weightsManifest as unknown[]).entries()) {
    const grp = group as { paths?: unknown; weights?: unknown };
    if (grp === null || typeof grp !== 'object' || !Array.isArray(grp.paths) || !Array.isArray(grp.weights)) {
      fail(`weightsManifest[${g}] must hold "paths" and "weights" arrays`);
    }
    for (const p of grp.paths as unknown[]) {
      // Only plain file names: a model.json must not make us read outside its directory.
      if (typeof p !== 'string' || p === '' || p === '.' || p === '..' || /[/\\\0]/.test(p)) {
        fail(`weightsManifest[${g}].paths holds ${JSON.stringify(p)}; expected a plain file name in the same directory`);
      }
    }
    for (const [w, spec] of (grp.weights as unknown[]).entries()) {
      const s = spec as Record<string, unknown>;
      const shapeOk = Array.isArray(s?.shape) && (s.shape as unknown[]).every((d) => Number.isInteger(d) && (d as number) >= 0);
      if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || !shapeOk || typeof s.dtype !== 'string') {
        fail(`weightsManifest[${g}].weights[${w}] must have a name, a shape of non-negative integers and a dtype`);
      }
    }
  }
  if (j.lowbitIntegrity !== undefined) {
    const rec = j.lowbitIntegrity as Record<string, unknown>;
    if (rec === null || typeof rec !== 'object') fail('lowbitIntegrity must be an object');
    for (const [file, entry] of Object.entries(rec)) {
      const e = entry as Record<string, unknown>;
      if (e === null || typeof e !== 'object' || !Number.isInteger(e.byteLength) || typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) {
        fail(`lowbitIntegrity["${file}"] must hold an integer byteLength and a hex sha256`);
      }
    }
  }
}

/** Bytes the weight specs occupy, or undefined when a string weight makes the size data-dependent. */
function specsByteLength(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const s of specs) {
    const dtype = s.quantization?.dtype ?? s.dtype;
    const per = BYTES_PER_ELEMENT[dtype];
    if (per === undefined) return undefined;
    total += s.shape.reduce((a, b) => a * b, 1) * per;
  }
  return total;
}
