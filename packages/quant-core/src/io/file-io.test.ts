import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { fileIO, loadModel, registerFileIORouter, saveArtifacts, saveModel, type LowbitModelJSON } from './file-io.js';
import { readModelDir, readModelFiles, writeModelDir, type ModelFiles } from './model-dir.js';

/** A tiny custom layer: multiplies its input by one trainable scalar. */
class LowbitTestScale extends tfl.layers.Layer {
  static className = 'LowbitTestScale';
  private scale?: tfl.LayerVariable;

  override build(): void {
    this.scale = this.addWeight('scale', [1], 'float32', tfl.initializers.constant({ value: 2 }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.mul(x, this.scale!.read());
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(LowbitTestScale);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lowbit-file-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function convDenseModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 3 }));
  return model;
}

const input = () =>
  tf.tensor4d(
    Array.from({ length: 2 * 25 }, (_, i) => Math.sin(i)),
    [2, 5, 5, 1],
  );

function predict(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(input()) as tf.Tensor).dataSync() as Float32Array).slice();
}

/** The weights file model.json names (content-addressed: weights.<16 hex>.bin). */
async function weightsName(dir: string): Promise<string> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
  return json.weightsManifest[0].paths[0];
}

let counter = 0;
async function savedDir(): Promise<{ dir: string; model: tfl.Sequential }> {
  const dir = join(root, `m${counter++}`);
  const model = convDenseModel();
  await saveModel(model, dir);
  return { dir, model };
}

describe('fileIO', () => {
  it('round-trips a dense + conv model bit for bit', async () => {
    const { dir, model } = await savedDir();
    const loaded = await tfl.loadLayersModel(fileIO(dir));
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(model)));
    const a = model.getWeights().map((w) => Array.from(w.dataSync()));
    const b = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'Flatten', 'Dense']);
    model.dispose();
    loaded.dispose();
  });

  it('records byte length and SHA-256 of the content-addressed weights file in model.json', async () => {
    const { dir, model } = await savedDir();
    const name = await weightsName(dir);
    const weights = await readFile(join(dir, name));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
    // conv 3*3*1*2 + 2, dense 18*3 + 3 float32 values.
    expect(weights.byteLength).toBe(4 * (18 + 2 + 54 + 3));
    const sha256 = createHash('sha256').update(weights).digest('hex');
    expect(name).toBe(`weights.${sha256.slice(0, 16)}.bin`);
    expect(json.lowbitIntegrity![name]).toEqual({ byteLength: weights.byteLength, sha256 });
    expect(json.weightsManifest[0].paths).toEqual([name]);
    expect((await readdir(dir)).sort()).toEqual([name, 'model.json'].sort());
    model.dispose();
  });

  it('round-trips a model with a registered custom layer', async () => {
    const dir = join(root, 'custom');
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [3], units: 2 }));
    model.add(new LowbitTestScale({}));
    const scaleLayer = model.layers[1];
    scaleLayer.setWeights([tf.tensor1d([3.5])]);
    const x = tf.tensor2d([[1, -2, 0.5]]);
    const before = (model.predict(x) as tf.Tensor).dataSync().slice();
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expect(loaded.layers[1]).toBeInstanceOf(LowbitTestScale);
    expect(Array.from(loaded.layers[1].getWeights()[0].dataSync())).toEqual([3.5]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    model.dispose();
    loaded.dispose();
  });

  it('accepts a file:// prefix and leaks no tensors across save/load', async () => {
    const { dir, model } = await savedDir();
    const first = await loadModel(`file://${dir}`);
    first.dispose();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) (await loadModel(dir)).dispose();
    expect(tf.memory().numTensors).toBe(count);
    model.dispose();
  });

  it('round-trips optimizer state with includeOptimizer and a model without weights', async () => {
    const dir = join(root, 'optimizer');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const xs = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const ys = tf.tensor2d([[1], [0]]);
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
    await saveModel(model, dir, { includeOptimizer: true });
    const loaded = await loadModel(dir);
    const optimizerWeights = async (m: tfl.LayersModel) =>
      (await m.optimizer.getWeights()).map((w) => [w.name, Array.from(w.tensor.dataSync())]);
    expect(await optimizerWeights(loaded)).toEqual(await optimizerWeights(model));
    expect((await optimizerWeights(model)).length).toBeGreaterThan(0);

    const empty = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2] })] });
    await saveModel(empty, join(root, 'empty'));
    expect((await readFile(join(root, 'empty', await weightsName(join(root, 'empty'))))).byteLength).toBe(0);
    const emptyBack = await loadModel(join(root, 'empty'));
    expect(emptyBack.outputs[0].shape).toEqual([null, 4]);
    for (const m of [model, loaded, empty, emptyBack]) m.dispose();
    tf.dispose([xs, ys]);
  });

  it('serves file:// URLs to model.save and tfl.loadLayersModel once the router is registered', async () => {
    const dir = join(root, 'router');
    registerFileIORouter();
    registerFileIORouter(); // idempotent: a second router would make tfjs refuse the URL
    const model = convDenseModel();
    await model.save(`file://${dir}`);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
    expect(json.lowbitIntegrity).toBeDefined();
    const loaded = await tfl.loadLayersModel(`file://${dir}`);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(model)));
    model.dispose();
    loaded.dispose();
  });

  it('rejects a truncated, extended or edited weights file, naming the file and both values', async () => {
    const { dir, model } = await savedDir();
    const name = await weightsName(dir);
    const path = join(dir, name);
    const re = name.replace(/\./g, '\\.');
    const good = await readFile(path);
    const n = good.byteLength;

    await writeFile(path, good.subarray(0, n - 4));
    await expect(loadModel(dir)).rejects.toThrow(LowbitDataError);
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(`${re}: expected ${n} bytes .*found ${n - 4} \\(file truncated\\)`),
    );

    await writeFile(path, Buffer.concat([good, Buffer.from([0])]));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`found ${n + 1} \\(file extended\\)`));

    const edited = Buffer.from(good);
    edited[7] ^= 0x01;
    await writeFile(path, edited);
    await expect(tfl.loadLayersModel(fileIO(dir))).rejects.toThrow(
      new RegExp(`${re}: SHA-256 mismatch: expected [0-9a-f]{64} .*found [0-9a-f]{64}`),
    );

    await unlink(path);
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${re}: not found`));
    model.dispose();
  });

  it('rejects a missing, corrupt or tampered model.json', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'model.json');
    const good = JSON.parse(await readFile(path, 'utf8')) as LowbitModelJSON;
    const name = good.weightsManifest[0].paths[0];
    const withJson = async (json: unknown) => writeFile(path, typeof json === 'string' ? json : JSON.stringify(json));

    await withJson('{"modelTopology": ');
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is not valid JSON/);
    await withJson([1, 2]);
    await expect(loadModel(dir)).rejects.toThrow(/expected a JSON object/);
    await withJson({ ...good, modelTopology: undefined });
    await expect(loadModel(dir)).rejects.toThrow(/no modelTopology/);
    await withJson({ ...good, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] });
    await expect(loadModel(dir)).rejects.toThrow(/plain file name/);
    await withJson({
      ...good,
      weightsManifest: [{ paths: [name], weights: [{ name: 'w', shape: [-1], dtype: 'float32' }] }],
    });
    await expect(loadModel(dir)).rejects.toThrow(/weights\[0\] must have/);
    await withJson({ ...good, lowbitIntegrity: { [name]: { byteLength: 'x', sha256: 'y' } } });
    await expect(loadModel(dir)).rejects.toThrow(/lowbitIntegrity\["weights\.[0-9a-f]{16}\.bin"\]/);
    await withJson({ ...good, lowbitIntegrity: {} });
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`no entry for weights file "${name}"`));
    // Without the integrity record the manifest's sizes are still checked against the file.
    const specs = good.weightsManifest[0].weights;
    await withJson({
      ...good,
      lowbitIntegrity: undefined,
      weightsManifest: [{ paths: [name], weights: specs.slice(1) }],
    });
    await expect(loadModel(dir)).rejects.toThrow(
      /weightsManifest describes \d+ bytes of weights, the weights files hold \d+/,
    );
    // A topology tfjs cannot build is reported against model.json.
    await withJson({ ...good, modelTopology: { class_name: 'NoSuchModel', config: {} } });
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: tfjs could not build the model/);

    await unlink(path);
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: not found/);
    await expect(loadModel(join(root, 'never-saved'))).rejects.toThrow(LowbitDataError);
    model.dispose();
  });

  it('loads a model.json without the integrity record (written by another tool)', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8')) as LowbitModelJSON;
    delete json.lowbitIntegrity;
    await writeFile(path, JSON.stringify(json));
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(model)));
    model.dispose();
    loaded.dispose();
  });

  it('rejects bad dir arguments and a dir that is a file', async () => {
    for (const dir of ['', 42, undefined, 'a\0b', 'file://']) {
      expect(() => fileIO(dir as string)).toThrow(LowbitConfigError);
    }
    await expect(loadModel(7 as unknown as string)).rejects.toThrow(/dir = 7 is invalid/);
    const file = join(root, 'plain-file');
    await writeFile(file, 'x');
    const model = convDenseModel();
    await expect(saveModel(model, file)).rejects.toThrow(/exists and is not a directory/);
    await expect(saveModel({} as tfl.LayersModel, root)).rejects.toThrow(LowbitConfigError);
    model.dispose();
  });
});

describe('loadModel leaks nothing when it rejects', () => {
  /** Tensors left after `attempts` rejected loads of `dir` (each must reject with `error`). */
  async function leftAfterRejectedLoads(dir: string, error: RegExp, attempts = 5): Promise<number[]> {
    const left: number[] = [];
    const before = tf.memory().numTensors;
    for (let i = 0; i < attempts; i++) {
      await expect(loadModel(dir)).rejects.toThrow(error);
      left.push(tf.memory().numTensors - before);
    }
    return left;
  }

  /** Writes `json` as model.json of `dir`, and `weights` (with its integrity record) when given. */
  async function rewrite(dir: string, json: LowbitModelJSON, weights?: Buffer): Promise<void> {
    if (weights) {
      const name = json.weightsManifest[0].paths[0];
      const sha256 = createHash('sha256').update(weights).digest('hex');
      json.lowbitIntegrity = { [name]: { byteLength: weights.byteLength, sha256 } };
      await writeFile(join(dir, name), weights);
    }
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  }

  it('weights of another model (shapes that do not fit the topology), renamed weights, an edited weights file, an unknown layer', async () => {
    const { dir, model } = await savedDir();
    const good = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
    const name = good.weightsManifest[0].paths[0];
    const goodWeights = await readFile(join(dir, name));

    // Another model's weights, internally consistent (manifest, sizes, SHA-256): only the topology disagrees.
    const other = tfl.sequential();
    other.add(tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 3, kernelSize: 3, activation: 'relu' }));
    other.add(tfl.layers.flatten());
    other.add(tfl.layers.dense({ units: 3 }));
    const otherDir = join(root, `other${counter++}`);
    await saveModel(other, otherDir);
    other.dispose();
    const otherJson = JSON.parse(await readFile(join(otherDir, 'model.json'), 'utf8')) as LowbitModelJSON;
    const otherWeights = await readFile(join(otherDir, otherJson.weightsManifest[0].paths[0]));
    const specs = otherJson.weightsManifest[0].weights.map((w, i) => ({
      ...w,
      name: good.weightsManifest[0].weights[i]!.name,
    }));
    await rewrite(dir, { ...good, weightsManifest: [{ paths: [name], weights: specs }] }, otherWeights);
    expect(await leftAfterRejectedLoads(dir, /model\.json: the weights do not fit the model: Shape mismatch/)).toEqual([
      0, 0, 0, 0, 0,
    ]);
    // Why loadModel does not just call tfjs's loader: that leaves the built model's 4 variables and the 4
    // decoded weights behind on each such rejection (tfjs-layers 4.22).
    const variables = () => Object.keys(tf.engine().state.registeredVariables);
    const [tensorsBefore, variablesBefore] = [tf.memory().numTensors, new Set(variables())];
    for (let i = 0; i < 2; i++) await expect(tfl.loadLayersModel(fileIO(dir))).rejects.toThrow(/Shape mismatch/);
    expect(tf.memory().numTensors - tensorsBefore).toBe(2 * 8);
    // the variables can still be found and freed; the decoded weights (8 tensors) stay unreachable in this worker
    const leakedVariables = variables().filter((v) => !variablesBefore.has(v));
    expect(leakedVariables).toHaveLength(2 * 4);
    for (const v of leakedVariables) tf.engine().state.registeredVariables[v]!.dispose();

    // The right weights under names the topology does not have.
    const renamed = good.weightsManifest[0].weights.map((w) => ({ ...w, name: `renamed/${w.name}` }));
    await rewrite(dir, { ...good, weightsManifest: [{ paths: [name], weights: renamed }] }, goodWeights);
    expect(await leftAfterRejectedLoads(dir, /the weights do not fit the model: .*renamed\//)).toEqual([0, 0, 0, 0, 0]);

    // An edited weights file (rejected by its SHA-256 before tfjs sees it) and a topology tfjs cannot build.
    await rewrite(dir, { ...good }, goodWeights);
    const edited = Buffer.from(goodWeights);
    edited[5] ^= 0x10;
    await writeFile(join(dir, name), edited);
    expect(await leftAfterRejectedLoads(dir, /SHA-256 mismatch/)).toEqual([0, 0, 0, 0, 0]);
    await rewrite(dir, { ...good, modelTopology: { class_name: 'NoSuchModel', config: {} } }, goodWeights);
    expect(await leftAfterRejectedLoads(dir, /tfjs could not build the model/)).toEqual([0, 0, 0, 0, 0]);

    // and the directory, put back, loads again (nothing above broke the loader)
    await rewrite(dir, { ...good }, goodWeights);
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(model)));
    loaded.dispose();
    model.dispose();
  });
});

describe('fileIO crash safety and bounded loading', () => {
  const sameWeights = (a: tfl.LayersModel, b: tfl.LayersModel) =>
    expect(b.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      a.getWeights().map((w) => Array.from(w.dataSync())),
    );

  it('loads a directory of the current release (model.json + weights.bin); a save over it switches names and removes weights.bin', async () => {
    const { dir, model } = await savedDir();
    // Rewrite the directory as the current release wrote it.
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
    const name = json.weightsManifest[0].paths[0];
    const bytes = await readFile(join(dir, name));
    await unlink(join(dir, name));
    await writeFile(join(dir, 'weights.bin'), bytes);
    json.weightsManifest[0].paths = ['weights.bin'];
    json.lowbitIntegrity = { 'weights.bin': json.lowbitIntegrity![name] };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const legacy = await loadModel(dir);
    sameWeights(model, legacy);
    await saveModel(legacy, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', name]);
    sameWeights(model, await loadModel(dir));
    model.dispose();
    legacy.dispose();
  });

  it('ignores temp files a killed save left; the next save removes them and stale weights files, nothing else', async () => {
    const { dir, model } = await savedDir();
    const name = await weightsName(dir);
    // pid 4194400 is above Linux's largest pid_max: that writer is certainly gone.
    await writeFile(join(dir, '.lowbit-tmp-4194400-0badf00d-model.json'), '{"half": ');
    await writeFile(join(dir, `.lowbit-tmp-4194400-0badf00d-weights.0123456789abcdef.bin`), new Uint8Array(3));
    await writeFile(join(dir, 'weights.0123456789abcdef.bin'), new Uint8Array(5));
    // A temp file of a live process (our parent) is someone's save in progress: left alone.
    const live = `.lowbit-tmp-${process.ppid}-0000beef-model.json`;
    await writeFile(join(dir, live), '{');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    sameWeights(model, await loadModel(dir));
    const other = convDenseModel();
    await saveModel(other, dir);
    const after = (await readdir(dir)).sort();
    const newName = await weightsName(dir);
    expect(newName).not.toBe(name);
    expect(after).toEqual([live, 'model.json', 'notes.txt', newName].sort());
    sameWeights(other, await loadModel(dir));
    model.dispose();
    other.dispose();
  });

  it('serializes saves to one directory from one process; loads running meanwhile see one model or the other', async () => {
    const dir = join(root, 'busy');
    const a = convDenseModel();
    const b = convDenseModel();
    await saveModel(a, dir);
    const wa = JSON.stringify(a.getWeights().map((w) => Array.from(w.dataSync())));
    const wb = JSON.stringify(b.getWeights().map((w) => Array.from(w.dataSync())));
    const saves = Array.from({ length: 12 }, (_, i) => saveModel(i % 2 === 0 ? b : a, dir));
    const loads = Array.from({ length: 12 }, async () => {
      const m = await loadModel(dir);
      const w = JSON.stringify(m.getWeights().map((t) => Array.from(t.dataSync())));
      m.dispose();
      return w === wa || w === wb;
    });
    expect(await Promise.all(loads)).toEqual(new Array(12).fill(true));
    await Promise.all(saves);
    expect((await readdir(dir)).length).toBe(2);
    const last = await loadModel(dir);
    expect(JSON.stringify(last.getWeights().map((t) => Array.from(t.dataSync())))).toBe(wa);
    for (const m of [a, b, last]) m.dispose();
  });

  it('checks sizes before reading: an oversized model.json, a huge declared shape, a weights "file" that is a directory', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'model.json');
    const good = JSON.parse(await readFile(path, 'utf8')) as LowbitModelJSON;
    const name = good.weightsManifest[0].paths[0];
    await expect(readModelDir(dir, { maxModelJSONBytes: 100 })).rejects.toThrow(
      /model\.json: is \d+ bytes, more than the 100-byte limit/,
    );
    const huge = {
      ...good,
      lowbitIntegrity: undefined,
      weightsManifest: [
        { paths: [name], weights: [{ name: 'w', shape: [2 ** 20, 2 ** 20, 2 ** 20], dtype: 'float32' }] },
      ],
    };
    await writeFile(path, JSON.stringify(huge));
    await expect(loadModel(dir)).rejects.toThrow(/more than 2\^40 elements/);
    const big = {
      ...good,
      lowbitIntegrity: undefined,
      weightsManifest: [{ paths: [name], weights: [{ name: 'w', shape: [2 ** 30], dtype: 'float32' }] }],
    };
    await writeFile(path, JSON.stringify(big));
    await expect(loadModel(dir)).rejects.toThrow(
      /weightsManifest describes 4294967296 bytes of weights, the weights files hold 308/,
    );
    await writeFile(
      path,
      JSON.stringify({ ...good, weightsManifest: [{ paths: ['sub'], weights: [] }], lowbitIntegrity: undefined }),
    );
    await mkdir(join(dir, 'sub'));
    await expect(loadModel(dir)).rejects.toThrow(/sub: is not a regular file/);
    // A sparse 65 MiB model.json is refused from its size alone.
    await truncate(path, 65 * 1024 * 1024);
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is 68157440 bytes, more than the 67108864-byte limit/);
    model.dispose();
  });

  it('rejects unsupported dtypes, duplicate weights or files, non-finite quantization and invalid UTF-8', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'model.json');
    const good = JSON.parse(await readFile(path, 'utf8')) as LowbitModelJSON;
    const [group] = good.weightsManifest;
    const withSpecs = (weights: unknown[], paths = group.paths) =>
      writeFile(path, JSON.stringify({ ...good, weightsManifest: [{ paths, weights }] }));
    await withSpecs([{ ...group.weights[0], dtype: 'string' }]);
    await expect(loadModel(dir)).rejects.toThrow(/weights\[0\]\.dtype = "string" is not supported/);
    await withSpecs([group.weights[0], group.weights[0]]);
    await expect(loadModel(dir)).rejects.toThrow(/appears twice/);
    await withSpecs(group.weights, [group.paths[0], group.paths[0]]);
    await expect(loadModel(dir)).rejects.toThrow(/lists "weights\.[0-9a-f]{16}\.bin" twice/);
    await withSpecs([{ ...group.weights[0], quantization: { dtype: 'uint8', scale: null, min: 0 } }]);
    await expect(loadModel(dir)).rejects.toThrow(/quantization\.scale = null; expected a finite number/);
    await withSpecs([{ ...group.weights[0], quantization: { dtype: 'int4' } }]);
    await expect(loadModel(dir)).rejects.toThrow(/quantization must be an object with dtype/);
    await writeFile(path, Uint8Array.of(0x7b, 0xff, 0x7d));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is not valid UTF-8/);
    await writeFile(path, JSON.stringify({ ...good, format: 7 }));
    await expect(loadModel(dir)).rejects.toThrow(/format = 7 must be a string/);
    model.dispose();
  });

  it('refuses to save weight specs that do not describe the weight data, writing nothing', async () => {
    const dir = join(root, 'bad-artifacts');
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { class_name: 'Sequential', config: {} },
      weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' }],
      weightData: new ArrayBuffer(8),
    };
    await expect(saveArtifacts(dir, artifacts)).rejects.toThrow(
      /weights = Uint8Array\(8\) is invalid: the weight specs describe 12 bytes, the weight data holds 8/,
    );
    await expect(
      saveArtifacts(dir, { ...artifacts, weightSpecs: [{ name: 'w', shape: [3], dtype: 'string' as never }] }),
    ).rejects.toThrow(LowbitConfigError);
    await expect(readdir(dir)).rejects.toThrow(); // never created
    await expect(
      writeModelDir('', { modelJSON: { modelTopology: {} }, weightSpecs: [], weights: new Uint8Array(0) }),
    ).rejects.toThrow(/dir = "" is invalid/);
  });

  it('reports each save step in order through the onStep hook', async () => {
    const steps: string[] = [];
    const model = convDenseModel();
    await model.save({ save: (a) => saveArtifacts(join(root, 'steps'), a, { onStep: (s) => void steps.push(s) }) });
    expect(steps).toEqual([
      'begin',
      'temps-cleaned',
      'weights-written',
      'weights-renamed',
      'weights-durable',
      'json-written',
      'json-renamed',
      'json-durable',
      'stale-removed',
    ]);
    model.dispose();
  });

  it('reads from any ModelFiles source and checks sizes before asking for bytes', async () => {
    const json = new TextEncoder().encode(
      JSON.stringify({
        modelTopology: {},
        weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
      }),
    );
    const reads: string[] = [];
    const files = (sizes: Record<string, number>): ModelFiles => ({
      pathOf: (n) => `mem/${n}`,
      sizeOf: async (n) => sizes[n],
      readInto: async (n, target) => {
        reads.push(n);
        if (n === 'model.json') target.set(json);
      },
    });
    await expect(readModelFiles(files({ 'model.json': json.length, 'w.bin': 1e12 }))).rejects.toThrow(
      /describes 8 bytes of weights, the weights files hold 1000000000000/,
    );
    expect(reads).toEqual(['model.json']);
    const ok = await readModelFiles(files({ 'model.json': json.length, 'w.bin': 8 }));
    expect(ok.weightData.byteLength).toBe(8);
    expect(ok.weightSpecs.map((s) => s.name)).toEqual(['w']);
  });
});
