/**
 * The files of a saved model directory, without tfjs: crash-safe writing and bounded, validated
 * reading. {@link fileIO} (file-io.ts) is the tfjs `IOHandler` on top of these; nothing here imports
 * tfjs at run time, so a small child process can drive the writer (the kill test does).
 *
 * Layout: `model.json` (the tfjs ModelJSON plus a `lowbitIntegrity` record: byte length and SHA-256
 * of every weights file) and one weights file named after its content,
 * `weights.<first 16 hex digits of its SHA-256>.bin`. Directories written by earlier releases
 * (`model.json` + `weights.bin`) load unchanged: the reader opens whatever `weightsManifest` lists.
 *
 * Writing ({@link writeModelDir}) never leaves a directory that does not load: the weights go to a
 * temporary file in the same directory, are fsynced and renamed into place; then `model.json`
 * likewise, last; the directory itself is fsynced after each rename. Until the `model.json` rename
 * the old `model.json` still names the old weights file (a different name, unless the content is
 * the same), so at every instant the directory holds the old model or the new one, intact. Weights
 * files no longer referenced and temporary files left by a killed save are removed by the next save
 * and never read by a load. Saves to one directory from one process are serialized; saving to the
 * same directory from several processes at once is not supported.
 *
 * Reading ({@link readModelFiles}, {@link readModelDir}) checks sizes before allocating: `model.json`
 * is at most {@link MAX_MODEL_JSON_BYTES}; every weights file's size is compared with the integrity
 * record and the sum with what the manifest's shapes and dtypes describe before one byte of weights
 * is read; then the SHA-256 of each file is compared. Every defect throws {@link LowbitDataError}
 * naming the file, the value found and the value expected.
 *
 * ```ts
 * await writeModelDir('./out/net', { modelJSON: { modelTopology, format: 'layers-model' }, weightSpecs, weights });
 * const { modelJSON, weightSpecs, weightData } = await readModelDir('./out/net');
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, describeValue } from '../errors.js';

/** The model file name. */
export const MODEL_JSON_FILE = 'model.json';
/** The weights file name of directories written by earlier releases (still loaded). */
export const LEGACY_WEIGHTS_FILE = 'weights.bin';
/** Largest `model.json` a load reads (64 MiB); topologies are far smaller. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/** Prefix of the temporary files of a save in progress: `.lowbit-tmp-<pid>-<random>-<target name>`. */
export const TEMP_FILE_PREFIX = '.lowbit-tmp-';
const TEMP_FILE = /^\.lowbit-tmp-(\d+)-[0-9a-f]+-/;
/** Weights files this module writes or wrote (the only ones a save removes when unreferenced). */
const OWN_WEIGHTS_FILE = /^weights(\.[0-9a-f]{16})?\.bin$/;

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

/**
 * The content-addressed name of a weights file whose SHA-256 (lower-case hex) is `sha256`.
 *
 * ```ts
 * weightsFileName(createHash('sha256').update(bytes).digest('hex')); // 'weights.<16 hex digits>.bin'
 * ```
 */
export function weightsFileName(sha256: string): string {
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new LowbitConfigError('sha256', sha256, 'expected 64 lower-case hex digits');
  }
  return `weights.${sha256.slice(0, 16)}.bin`;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The steps of a save, in order; {@link WriteModelDirOptions.onStep} is called after each. */
export const SAVE_STEPS = [
  'begin',
  'temps-cleaned',
  'weights-written',
  'weights-renamed',
  'weights-durable',
  'json-written',
  'json-renamed',
  'json-durable',
  'stale-removed',
] as const;
export type SaveStep = (typeof SAVE_STEPS)[number];

export interface WriteModelDirOptions {
  /**
   * Called (and awaited) after each step: a test hook. `'json-renamed'` is the switch from the
   * old model to the new one.
   */
  onStep?: (step: SaveStep) => void | Promise<void>;
}

/** What {@link writeModelDir} writes: model.json minus `weightsManifest` / `lowbitIntegrity`, specs and bytes. */
export interface ModelDirContent {
  /** Every model.json field but `weightsManifest` and `lowbitIntegrity` (which the writer fills in). */
  modelJSON: Omit<LowbitModelJSON, 'weightsManifest' | 'lowbitIntegrity'>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weights: Uint8Array;
}

/** Temporary files of saves in progress in this process (the cleanup leaves them alone). */
const activeTemps = new Set<string>();
/** Per-directory queue: saves to one directory from this process run one after the other. */
const dirQueues = new Map<string, Promise<unknown>>();

/**
 * Writes `content` into `dir` (created if needed) crash-safely, as described in the module docs,
 * and returns the model.json written and the weights file name. Throws {@link LowbitConfigError}
 * for a bad `dir` or specs that do not describe `weights`.
 *
 * ```ts
 * const weightSpecs = [{ name: 'w', shape: [2], dtype: 'float32' as const }];
 * const { weightsFile } = await writeModelDir('./out/net', {
 *   modelJSON: { modelTopology: {}, format: 'layers-model' },
 *   weightSpecs,
 *   weights: new Uint8Array(Float32Array.of(0.5, -1).buffer),
 * }); // weightsFile: 'weights.<16 hex digits of its SHA-256>.bin'
 * ```
 */
export async function writeModelDir(
  dir: string,
  content: ModelDirContent,
  options: WriteModelDirOptions = {},
): Promise<{ modelJSON: LowbitModelJSON; weightsFile: string }> {
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new LowbitConfigError('dir', dir, 'expected a non-empty directory path string');
  }
  const key = nodePath.resolve(dir);
  const previous = dirQueues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => writeNow(dir, content, options));
  dirQueues.set(key, run);
  try {
    return await run;
  } finally {
    if (dirQueues.get(key) === run) dirQueues.delete(key);
  }
}

async function writeNow(
  dir: string,
  content: ModelDirContent,
  options: WriteModelDirOptions,
): Promise<{ modelJSON: LowbitModelJSON; weightsFile: string }> {
  const step = async (s: SaveStep) => {
    if (options.onStep) await options.onStep(s);
  };
  const { weights, weightSpecs } = content;
  if (!(weights instanceof Uint8Array)) throw new LowbitConfigError('weights', weights, 'expected a Uint8Array');
  if (!Array.isArray(weightSpecs))
    throw new LowbitConfigError('weightSpecs', weightSpecs, 'expected an array of weight specs');
  const described = weightSpecsByteLength(
    weightSpecs,
    'weightSpecs',
    (problem) => new LowbitConfigError('weightSpecs', weightSpecs, problem),
  );
  if (described !== weights.byteLength) {
    throw new LowbitConfigError(
      'weights',
      weights,
      `the weight specs describe ${described} bytes, the weight data holds ${weights.byteLength}`,
    );
  }
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new LowbitConfigError('dir', dir, 'exists and is not a directory');
  await step('begin');
  await fs.mkdir(dir, { recursive: true });
  await removeDeadTemps(dir);
  await step('temps-cleaned');

  const sha256 = createHash('sha256').update(weights).digest('hex');
  const weightsFile = weightsFileName(sha256);
  const modelJSON: LowbitModelJSON = {
    ...content.modelJSON,
    weightsManifest: [{ paths: [weightsFile], weights: weightSpecs }],
    lowbitIntegrity: { [weightsFile]: { byteLength: weights.byteLength, sha256 } },
  };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(modelJSON));
  if (jsonBytes.length > MAX_MODEL_JSON_BYTES) {
    throw new LowbitConfigError(
      'modelJSON',
      `${jsonBytes.length} bytes`,
      `model.json would exceed the ${MAX_MODEL_JSON_BYTES}-byte limit loads accept`,
    );
  }

  await writeFileDurably(dir, weightsFile, weights);
  await step('weights-written');
  await renameTemp(dir, weightsFile);
  await step('weights-renamed');
  await syncDir(dir);
  await step('weights-durable');
  await writeFileDurably(dir, MODEL_JSON_FILE, jsonBytes);
  await step('json-written');
  await renameTemp(dir, MODEL_JSON_FILE);
  await step('json-renamed');
  await syncDir(dir);
  await step('json-durable');
  await removeStaleWeights(dir, new Set([weightsFile]));
  await syncDir(dir);
  await step('stale-removed');
  return { modelJSON, weightsFile };
}

/** Temp path of `target` for this save (one at a time per target per directory in this process). */
const pendingTemp = new Map<string, string>();

async function writeFileDurably(dir: string, target: string, bytes: Uint8Array): Promise<void> {
  const temp = nodePath.join(dir, `${TEMP_FILE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${target}`);
  activeTemps.add(temp);
  pendingTemp.set(nodePath.join(dir, target), temp);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle?.close().catch(() => undefined);
    handle = undefined;
    await fs.unlink(temp).catch(() => undefined);
    activeTemps.delete(temp);
    pendingTemp.delete(nodePath.join(dir, target));
    throw e;
  } finally {
    await handle?.close();
  }
}

async function renameTemp(dir: string, target: string): Promise<void> {
  const finalPath = nodePath.join(dir, target);
  const temp = pendingTemp.get(finalPath)!;
  try {
    await fs.rename(temp, finalPath);
  } catch (e) {
    await fs.unlink(temp).catch(() => undefined);
    throw e;
  } finally {
    activeTemps.delete(temp);
    pendingTemp.delete(finalPath);
  }
}

/** fsync of the directory, so that renames in it survive a power cut. */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    // Windows cannot open or fsync a directory; there the rename itself is what we get.
    const code = (e as NodeJS.ErrnoException).code;
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'ENOTSUP', 'EACCES'].includes(code ?? '')) throw e;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files of saves that are not running any more (killed or crashed). */
async function removeDeadTemps(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir)) {
    const m = TEMP_FILE.exec(name);
    if (!m) continue;
    const path = nodePath.join(dir, name);
    if (activeTemps.has(path)) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    await fs.unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/** Removes this module's weights files that `keep` does not name, and dead temporary files. */
async function removeStaleWeights(dir: string, keep: Set<string>): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (OWN_WEIGHTS_FILE.test(name) && !keep.has(name))
      await fs.unlink(nodePath.join(dir, name)).catch(() => undefined);
  }
  await removeDeadTemps(dir);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Read access to the files of one model directory (the file system, or memory in tests). */
export interface ModelFiles {
  /** How errors name file `name` (its path). */
  pathOf(name: string): string;
  /** Size in bytes of regular file `name`, undefined when it does not exist. */
  sizeOf(name: string): Promise<number | undefined>;
  /** Reads exactly `target.length` bytes of `name` into `target`; throws if the file has another size. */
  readInto(name: string, target: Uint8Array): Promise<void>;
}

/** What a load returns: the validated model.json, every weight spec in order and the weight bytes. */
export interface ModelDirRead {
  modelJSON: LowbitModelJSON;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export interface ReadModelOptions {
  /** Largest model.json accepted; default {@link MAX_MODEL_JSON_BYTES}. */
  maxModelJSONBytes?: number;
}

/** The file system as {@link ModelFiles}: regular files of directory `dir` only. */
export function nodeModelFiles(dir: string): ModelFiles {
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new LowbitConfigError('dir', dir, 'expected a non-empty directory path string');
  }
  const pathOf = (name: string) => nodePath.join(dir, name);
  return {
    pathOf,
    async sizeOf(name) {
      const path = pathOf(name);
      const stat = await fs.stat(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
        throw new LowbitDataError(path, `cannot be read (${e.code ?? e.message})`);
      });
      if (stat === undefined) return undefined;
      if (!stat.isFile()) throw new LowbitDataError(path, 'is not a regular file');
      return stat.size;
    },
    async readInto(name, target) {
      const path = pathOf(name);
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(path, 'r');
        let offset = 0;
        while (offset < target.length) {
          const { bytesRead } = await handle.read(target, offset, target.length - offset, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
        }
        // One byte more must not exist: the file changed size since it was measured.
        const { bytesRead: extra } = await handle.read(new Uint8Array(1), 0, 1, offset);
        if (offset !== target.length || extra !== 0) {
          throw new LowbitDataError(path, `changed size while being read (expected ${target.length} bytes)`);
        }
      } catch (e) {
        if (e instanceof LowbitDataError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        throw new LowbitDataError(
          path,
          code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (e as Error).message})`,
        );
      } finally {
        await handle?.close().catch(() => undefined);
      }
    },
  };
}

/**
 * Loads the model directory `dir` (see {@link readModelFiles}). When model.json is replaced while
 * the load runs (a concurrent save switched models), the load starts over, up to 3 times, so it
 * returns the old model or the new one. Defects throw {@link LowbitDataError} naming the file.
 *
 * ```ts
 * const { modelJSON, weightSpecs, weightData } = await readModelDir('./out/net');
 * const weights = tf.io.decodeWeights(weightData, weightSpecs); // caller disposes the tensors
 * ```
 */
export async function readModelDir(dir: string, options: ReadModelOptions = {}): Promise<ModelDirRead> {
  const files = nodeModelFiles(dir);
  for (let attempt = 0; ; attempt++) {
    const before = await fs.stat(files.pathOf(MODEL_JSON_FILE)).catch(() => undefined);
    try {
      return await readModelFiles(files, options);
    } catch (e) {
      const after = await fs.stat(files.pathOf(MODEL_JSON_FILE)).catch(() => undefined);
      const switched =
        before !== undefined &&
        after !== undefined &&
        (before.ino !== after.ino || before.mtimeMs !== after.mtimeMs || before.size !== after.size);
      if (!switched || attempt >= 2) throw e;
    }
  }
}

/**
 * Reads and validates a model from `files`: model.json (size, UTF-8, JSON, structure), then the
 * sizes of the weights files it lists against its integrity record and against the byte size its
 * weight specs describe, and only then allocates and reads the weights and checks their SHA-256.
 */
export async function readModelFiles(files: ModelFiles, options: ReadModelOptions = {}): Promise<ModelDirRead> {
  const maxJson = options.maxModelJSONBytes ?? MAX_MODEL_JSON_BYTES;
  if (typeof maxJson !== 'number' || !Number.isSafeInteger(maxJson) || maxJson < 1) {
    throw new LowbitConfigError('maxModelJSONBytes', maxJson, 'expected a positive integer');
  }
  const jsonPath = files.pathOf(MODEL_JSON_FILE);
  const jsonSize = await files.sizeOf(MODEL_JSON_FILE);
  if (jsonSize === undefined) throw new LowbitDataError(jsonPath, 'not found (no model saved in this directory?)');
  if (jsonSize > maxJson)
    throw new LowbitDataError(jsonPath, `is ${jsonSize} bytes, more than the ${maxJson}-byte limit for a model.json`);
  const jsonBytes = new Uint8Array(jsonSize);
  await files.readInto(MODEL_JSON_FILE, jsonBytes);
  const modelJSON = parseModelJSON(jsonBytes, jsonPath);

  const specs: tf.io.WeightsManifestEntry[] = [];
  const paths: string[] = [];
  for (const group of modelJSON.weightsManifest) {
    specs.push(...group.weights);
    paths.push(...group.paths);
  }
  const integrity = modelJSON.lowbitIntegrity;
  const sizes: number[] = [];
  for (const file of paths) {
    const path = files.pathOf(file);
    const size = await files.sizeOf(file);
    if (size === undefined) throw new LowbitDataError(path, `not found (listed in ${MODEL_JSON_FILE})`);
    const record = integrity?.[file];
    if (integrity && !record)
      throw new LowbitDataError(jsonPath, `lowbitIntegrity has no entry for weights file "${file}"`);
    if (record && size !== record.byteLength) {
      throw new LowbitDataError(
        path,
        `expected ${record.byteLength} bytes (recorded in ${MODEL_JSON_FILE}), found ${size} (file ${size < record.byteLength ? 'truncated' : 'extended'})`,
      );
    }
    sizes.push(size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const expected = weightSpecsByteLength(specs, jsonPath, (problem) => new LowbitDataError(jsonPath, problem));
  if (expected !== total) {
    throw new LowbitDataError(
      jsonPath,
      `weightsManifest describes ${expected} bytes of weights, the weights files hold ${total}`,
    );
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const [i, file] of paths.entries()) {
    const part = data.subarray(offset, offset + sizes[i]);
    await files.readInto(file, part);
    const record = integrity?.[file];
    if (record) {
      const sha256 = createHash('sha256').update(part).digest('hex');
      if (sha256 !== record.sha256) {
        throw new LowbitDataError(
          files.pathOf(file),
          `SHA-256 mismatch: expected ${record.sha256} (recorded in ${MODEL_JSON_FILE}), found ${sha256} (file edited or corrupted)`,
        );
      }
    }
    offset += sizes[i];
  }
  return { modelJSON, weightSpecs: specs, weightData: data.buffer };
}

const WEIGHT_DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_DTYPE_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
/** Largest number of elements one weight may declare (beyond any real model; keeps sums exact). */
const MAX_WEIGHT_ELEMENTS = 2 ** 40;

/**
 * Parses and validates model.json bytes (UTF-8 JSON): the tfjs fields a load relies on
 * (`modelTopology` object, `weightsManifest` groups with plain file names and weight specs with a
 * name, a shape of non-negative integers, a supported dtype and finite quantization parameters)
 * and the `lowbitIntegrity` record. Throws {@link LowbitDataError} naming `source`.
 */
export function parseModelJSON(bytes: Uint8Array, source = MODEL_JSON_FILE): LowbitModelJSON {
  const fail = (problem: string): never => {
    throw new LowbitDataError(source, problem);
  };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('is not valid UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message})`);
  }
  checkModelJSON(json, fail);
  return json;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Structural checks of a parsed model.json, so that nothing later reads a missing or wrong field. */
function checkModelJSON(json: unknown, fail: (problem: string) => never): asserts json is LowbitModelJSON {
  if (!isObject(json)) fail('expected a JSON object');
  const j = json as Record<string, unknown>;
  if (!isObject(j.modelTopology)) fail('has no modelTopology object');
  for (const key of ['format', 'generatedBy', 'convertedBy'] as const) {
    if (j[key] !== undefined && j[key] !== null && typeof j[key] !== 'string')
      fail(`${key} = ${describeValue(j[key])} must be a string`);
  }
  for (const key of [
    'trainingConfig',
    'userDefinedMetadata',
    'signature',
    'modelInitializer',
    'initializerSignature',
  ] as const) {
    if (j[key] !== undefined && j[key] !== null && !isObject(j[key]))
      fail(`${key} = ${describeValue(j[key])} must be an object`);
  }
  if (!Array.isArray(j.weightsManifest)) fail('has no weightsManifest array');
  const seenPaths = new Set<string>();
  const seenNames = new Set<string>();
  for (const [g, group] of (j.weightsManifest as unknown[]).entries()) {
    const grp = group as { paths?: unknown; weights?: unknown };
    if (!isObject(grp) || !Array.isArray(grp.paths) || !Array.isArray(grp.weights)) {
      fail(`weightsManifest[${g}] must hold "paths" and "weights" arrays`);
    }
    for (const p of grp.paths as unknown[]) {
      // Only plain file names: a model.json must not make us read outside its directory.
      if (typeof p !== 'string' || p === '' || p === '.' || p === '..' || /[/\\\0]/.test(p) || p.length > 255) {
        fail(`weightsManifest[${g}].paths holds ${describeValue(p)}; expected a plain file name in the same directory`);
      }
      if (p === MODEL_JSON_FILE || seenPaths.has(p as string))
        fail(`weightsManifest[${g}].paths lists "${p}" twice or names model.json`);
      seenPaths.add(p as string);
    }
    for (const [w, spec] of (grp.weights as unknown[]).entries()) {
      const at = `weightsManifest[${g}].weights[${w}]`;
      const s = spec as Record<string, unknown>;
      const shapeOk =
        isObject(s) &&
        Array.isArray(s.shape) &&
        (s.shape as unknown[]).every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
      if (!isObject(s) || typeof s.name !== 'string' || s.name === '' || !shapeOk || typeof s.dtype !== 'string') {
        fail(`${at} must have a name, a shape of non-negative integers and a dtype`);
      }
      if (seenNames.has(s.name as string)) fail(`${at}: weight name ${describeValue(s.name)} appears twice`);
      seenNames.add(s.name as string);
      if (!((s.dtype as string) in WEIGHT_DTYPE_BYTES)) {
        fail(
          `${at}.dtype = ${describeValue(s.dtype)} is not supported (expected one of ${Object.keys(WEIGHT_DTYPE_BYTES).join(', ')})`,
        );
      }
      if (s.quantization !== undefined) {
        const q = s.quantization as Record<string, unknown>;
        if (!isObject(q) || typeof q.dtype !== 'string' || !(q.dtype in QUANTIZED_DTYPE_BYTES)) {
          fail(
            `${at}.quantization must be an object with dtype one of ${Object.keys(QUANTIZED_DTYPE_BYTES).join(', ')}`,
          );
        }
        for (const key of ['scale', 'min'] as const) {
          const v = q[key];
          const needed = q.dtype !== 'float16';
          if ((v === undefined && needed) || (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))) {
            fail(`${at}.quantization.${key} = ${describeValue(v)}; expected a finite number`);
          }
        }
        if (q.dtype !== 'float16' && (q.scale as number) < 0)
          fail(`${at}.quantization.scale = ${q.scale}; expected >= 0`);
      }
    }
  }
  if (j.lowbitIntegrity !== undefined) {
    const rec = j.lowbitIntegrity;
    if (!isObject(rec)) fail('lowbitIntegrity must be an object');
    for (const [file, entry] of Object.entries(rec as Record<string, unknown>)) {
      const e = entry as Record<string, unknown>;
      if (
        !isObject(e) ||
        !Number.isSafeInteger(e.byteLength) ||
        (e.byteLength as number) < 0 ||
        typeof e.sha256 !== 'string' ||
        !/^[0-9a-f]{64}$/.test(e.sha256)
      ) {
        fail(`lowbitIntegrity[${describeValue(file)}] must hold a non-negative integer byteLength and a hex sha256`);
      }
    }
  }
}

/** Bytes the weight specs occupy (exact: every count is checked to stay a safe integer). */
export function weightSpecsByteLength(
  specs: readonly tf.io.WeightsManifestEntry[],
  source: string,
  error: (problem: string) => Error = (p) => new LowbitDataError(source, p),
): number {
  let total = 0;
  for (const [i, s] of specs.entries()) {
    if (!isObject(s) || !Array.isArray(s.shape)) throw error(`weight ${i} has no shape`);
    let elements = 1;
    for (const d of s.shape) {
      if (!Number.isSafeInteger(d) || d < 0)
        throw error(
          `weight ${describeValue(s.name)} has shape ${describeValue(s.shape)}; expected non-negative integers`,
        );
      elements *= d;
      if (elements > MAX_WEIGHT_ELEMENTS)
        throw error(`weight ${describeValue(s.name)} has shape ${describeValue(s.shape)}: more than 2^40 elements`);
    }
    const per = s.quantization ? QUANTIZED_DTYPE_BYTES[s.quantization.dtype] : WEIGHT_DTYPE_BYTES[s.dtype];
    if (per === undefined)
      throw error(
        `weight ${describeValue(s.name)} has dtype ${describeValue(s.quantization?.dtype ?? s.dtype)}, which has no fixed byte size`,
      );
    total += elements * per;
  }
  return total;
}
