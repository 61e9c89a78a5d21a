import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '../errors.js';
import { fileIO, loadModel, registerFileIORouter, saveModel, type LowbitModelJSON } from './file-io.js';

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

const input = () => tf.tensor4d(Array.from({ length: 2 * 25 }, (_, i) => Math.sin(i)), [2, 5, 5, 1]);

function predict(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(input()) as tf.Tensor).dataSync() as Float32Array).slice();
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

  it('records byte length and SHA-256 of weights.bin in model.json', async () => {
    const { dir, model } = await savedDir();
    const weights = await readFile(join(dir, 'weights.bin'));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LowbitModelJSON;
    // conv 3*3*1*2 + 2, dense 18*3 + 3 float32 values.
    expect(weights.byteLength).toBe(4 * (18 + 2 + 54 + 3));
    expect(json.lowbitIntegrity!['weights.bin']).toEqual({
      byteLength: weights.byteLength,
      sha256: createHash('sha256').update(weights).digest('hex'),
    });
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
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
    const xs = tf.tensor2d([[1, 2], [3, 4]]);
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
    expect((await readFile(join(root, 'empty', 'weights.bin'))).byteLength).toBe(0);
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

  it('rejects a truncated, extended or edited weights.bin, naming the file and both values', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'weights.bin');
    const good = await readFile(path);
    const n = good.byteLength;

    await writeFile(path, good.subarray(0, n - 4));
    await expect(loadModel(dir)).rejects.toThrow(LowbitDataError);
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`weights\\.bin: expected ${n} bytes .*found ${n - 4} \\(file truncated\\)`));

    await writeFile(path, Buffer.concat([good, Buffer.from([0])]));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`found ${n + 1} \\(file extended\\)`));

    const edited = Buffer.from(good);
    edited[7] ^= 0x01;
    await writeFile(path, edited);
    await expect(tfl.loadLayersModel(fileIO(dir))).rejects.toThrow(/weights\.bin: SHA-256 mismatch: expected [0-9a-f]{64} .*found [0-9a-f]{64}/);

    await unlink(path);
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin: not found/);
    model.dispose();
  });

  it('rejects a missing, corrupt or tampered model.json', async () => {
    const { dir, model } = await savedDir();
    const path = join(dir, 'model.json');
    const good = JSON.parse(await readFile(path, 'utf8')) as LowbitModelJSON;
    const withJson = async (json: unknown) => writeFile(path, typeof json === 'string' ? json : JSON.stringify(json));

    await withJson('{"modelTopology": ');
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is not valid JSON/);
    await withJson([1, 2]);
    await expect(loadModel(dir)).rejects.toThrow(/expected a JSON object/);
    await withJson({ ...good, modelTopology: undefined });
    await expect(loadModel(dir)).rejects.toThrow(/no modelTopology/);
    await withJson({ ...good, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] });
    await expect(loadModel(dir)).rejects.toThrow(/plain file name/);
    await withJson({ ...good, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [-1], dtype: 'float32' }] }] });
    await expect(loadModel(dir)).rejects.toThrow(/weights\[0\] must have/);
    await withJson({ ...good, lowbitIntegrity: { 'weights.bin': { byteLength: 'x', sha256: 'y' } } });
    await expect(loadModel(dir)).rejects.toThrow(/lowbitIntegrity\["weights.bin"\]/);
    await withJson({ ...good, lowbitIntegrity: {} });
    await expect(loadModel(dir)).rejects.toThrow(/no entry for weights file "weights.bin"/);
    // Without the integrity record the manifest's sizes are still checked against the file.
    const specs = good.weightsManifest[0].weights;
    await withJson({ ...good, lowbitIntegrity: undefined, weightsManifest: [{ paths: ['weights.bin'], weights: specs.slice(1) }] });
    await expect(loadModel(dir)).rejects.toThrow(/weightsManifest describes \d+ bytes of weights, the weights files hold \d+/);
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
