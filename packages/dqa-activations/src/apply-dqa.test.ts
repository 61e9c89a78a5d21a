import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowbitConfigError, channelMaxAbs, quantActivation, quantDense } from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { applyDqa, buildDqaModel, dqaLayers } from './apply-dqa.js';
import { calibrateDqa } from './calibrate-dqa.js';
import { directStep } from './direct-quant.js';
import { dqaFakeQuant } from './dqa-quantize.js';
import { dqaParamsOf } from './dqa-activation.js';
import { crossEntropy } from './layer-chain.js';
import { dqaStorageReport, formatStorageReport, storageTotal } from './storage-report.js';
import { decodeActivations, encode } from './codec.js';

let model: tfl.Sequential;
let x: tf.Tensor;
let y: tf.Tensor;

beforeAll(() => {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 6,
        inputShape: [4],
        activation: 'relu',
        kernelInitializer: init(1),
        biasInitializer: 'ones',
        name: 'h1',
      }),
      tfl.layers.dense({
        units: 5,
        activation: 'relu',
        kernelInitializer: init(2),
        biasInitializer: 'ones',
        name: 'h2',
      }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(3), name: 'out' }),
    ],
  });
  const values = Float32Array.from({ length: 48 * 4 }, (_, i) => Math.sin(1.3 * i + 0.2) * 2);
  x = tf.tensor2d(values, [48, 4]);
  // Labels the float model gets right on most samples, with some noise so the loss is not ~0.
  y = tf.tidy(() =>
    tf.cast(
      tf.argMax(tf.add(model.predict(x) as tf.Tensor, tf.randomUniform([48, 3], 0, 0.3, 'float32', 7)), -1),
      'float32',
    ),
  );
});

afterAll(() => {
  model.dispose();
  tf.dispose([x, y]);
});

function manualForward(
  h1Params: Parameters<typeof dqaFakeQuant>[1] | null,
  h2Params: Parameters<typeof dqaFakeQuant>[1] | null,
): tf.Tensor {
  return tf.tidy(() => {
    let h = model.layers[0].apply(x) as tf.Tensor;
    if (h1Params) h = dqaFakeQuant(h, h1Params);
    h = model.layers[1].apply(h) as tf.Tensor;
    if (h2Params) h = dqaFakeQuant(h, h2Params);
    return model.layers[2].apply(h) as tf.Tensor;
  });
}

describe('calibrateDqa', () => {
  it('calibrates delta_N = max|A| / 2^(N-1) per channel on the hidden activations', () => {
    const cal = calibrateDqa(model, { x, y }, { bits: 3, ranking: 'error-energy', importantFraction: 0.4 });
    expect(cal.layers.map((l) => l.layerName)).toEqual(['h1', 'h2']);
    const a1 = tf.tidy(() => (model.layers[0].apply(x) as tf.Tensor).dataSync());
    const max1 = Array.from(channelMaxAbs(a1, 6));
    expect(cal.layers[0].maxAbs).toEqual(max1);
    expect(cal.layers[0].scales).toEqual(max1.map((m) => directStep(m, 3, directStep(Math.max(...max1), 3))));
    expect(cal.layers[0].important.length).toBe(2); // round(0.4 * 6)
    expect(cal.layers[1].important.length).toBe(2); // round(0.4 * 5)
  });

  it('error-energy scores are the per-channel squared quantization error', () => {
    const cal = calibrateDqa(model, { x }, { bits: 3, ranking: 'error-energy', layers: ['h1'] });
    const expected = tf.tidy(() => {
      const a = model.layers[0].apply(x) as tf.Tensor;
      const q = dqaFakeQuant(a, { bits: 3, extraBits: 3, scales: cal.layers[0].scales, important: [] });
      return Array.from(tf.sum(tf.square(tf.sub(a, q)), 0).dataSync());
    });
    cal.layers[0].scores.forEach((s, c) => expect(s).toBeCloseTo(expected[c], 4));
    const order = [...expected.keys()].sort((a, b) => expected[b] - expected[a] || a - b);
    expect(cal.layers[0].important).toEqual(order.slice(0, 3).sort((a, b) => a - b));
  });

  it('leave-one-out scores are the loss recovered when one channel stays float', () => {
    const cal = calibrateDqa(model, { x, y }, { bits: 3, importantFraction: 0.5, batchSize: 20 });
    const direct = cal.layers.map((l) => ({ bits: 3, extraBits: 3, scales: l.scales, important: [] }));
    const lossOf = (out: tf.Tensor) => tf.tidy(() => crossEntropy(out, y, true).dataSync()[0]);
    const all = manualForward(direct[0], direct[1]);
    const base = lossOf(all);
    all.dispose();
    for (let c = 0; c < 5; c++) {
      // Channel c of h2 unquantized: quantize h2 by hand and put channel c back.
      const out = tf.tidy(() => {
        const a1 = dqaFakeQuant(model.layers[0].apply(x) as tf.Tensor, direct[0]);
        const a2 = model.layers[1].apply(a1) as tf.Tensor;
        const q2 = dqaFakeQuant(a2, direct[1]);
        const keep = tf.oneHot(tf.scalar(c, 'int32'), 5);
        return model.layers[2].apply(tf.add(tf.mul(q2, tf.sub(1, keep)), tf.mul(a2, keep))) as tf.Tensor;
      });
      expect(cal.layers[1].scores[c]).toBeCloseTo(base - lossOf(out), 4);
      out.dispose();
    }
  });

  it('the taylor proxy matches leave-one-out to first order when errors are small (8 bits)', () => {
    // Only the last hidden layer: there the rest of the network is smooth. Before a quantized
    // layer, leaving a channel float also flips roundings downstream, which no gradient sees.
    const loo = calibrateDqa(model, { x, y }, { bits: 8, layers: ['h2'] });
    const taylor = calibrateDqa(model, { x, y }, { bits: 8, ranking: 'taylor', layers: ['h2'] });
    for (let l = 0; l < 1; l++) {
      const ref = loo.layers[l].scores;
      const scale = Math.max(...ref.map(Math.abs));
      taylor.layers[l].scores.forEach((s, c) => expect(Math.abs(s - ref[c])).toBeLessThan(0.05 * scale + 1e-7));
    }
  });

  it('rejects bad options and data with typed errors', () => {
    const d = { x, y };
    expect(() => calibrateDqa(model, d, { bits: 1 })).toThrow(/options.bits = 1/);
    expect(() => calibrateDqa(model, d, { bits: 9 })).toThrow(LowbitConfigError);
    expect(() => calibrateDqa(model, d, { bits: 3, extraBits: 0 })).toThrow(/extraBits = 0/);
    expect(() => calibrateDqa(model, d, { bits: 3, extraBits: 9 })).toThrow(/extraBits = 9/);
    expect(() => calibrateDqa(model, d, { bits: 3, importantFraction: -0.1 })).toThrow(/importantFraction = -0.1/);
    expect(() => calibrateDqa(model, d, { bits: 3, importantFraction: 1.5 })).toThrow(/importantFraction = 1.5/);
    expect(() => calibrateDqa(model, d, { bits: 3, importantFraction: Number.NaN })).toThrow(LowbitConfigError);
    expect(() => calibrateDqa(model, d, { bits: 3, ranking: 'random' as never })).toThrow(/options.ranking/);
    expect(() => calibrateDqa(model, d, { bits: 3, layers: ['nope'] })).toThrow(/layers\[0\] = "nope"/);
    expect(() => calibrateDqa(model, d, { bits: 3, bitz: 3 } as never)).toThrow(/options.bitz/);
    expect(() => calibrateDqa(model, { x }, { bits: 3 })).toThrow(/calibrationData.y/);
    const short = tf.zeros([3]);
    const flat = tf.zeros([4]);
    expect(() => calibrateDqa(model, { x, y: short }, { bits: 3 })).toThrow(/calibrationData.y/);
    expect(() => calibrateDqa(model, { x: flat }, { bits: 3, ranking: 'error-energy' })).toThrow(/rank >= 2/);
    tf.dispose([short, flat]);
    const input = tfl.input({ shape: [4] });
    const functional = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor,
    });
    expect(() => calibrateDqa(functional, d, { bits: 3 })).toThrow(/Sequential/);
    functional.dispose();
  });

  it('leaks no tensors', () => {
    calibrateDqa(model, { x, y }, { bits: 3, ranking: 'taylor' });
    const before = tf.memory().numTensors;
    for (const ranking of ['leave-one-out', 'taylor', 'error-energy'] as const)
      calibrateDqa(model, { x, y }, { bits: 3, ranking });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('applyDqa', () => {
  it('returns a new model with DQA after each hidden activation, leaving the input model untouched', async () => {
    const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
    const q = await applyDqa(model, { x, y }, { bits: 3, importantFraction: 0.5, tableGranularity: 'channel' });
    expect(q).not.toBe(model);
    expect(model.layers.length).toBe(3);
    expect(q.layers.map((l) => l.getClassName())).toEqual([
      'Dense',
      'LowbitQuantActivation',
      'Dense',
      'LowbitQuantActivation',
      'Dense',
    ]);
    expect(q.layers.map((l) => l.name)).toEqual(['h1', 'h1_dqa', 'h2', 'h2_dqa', 'out']);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
    const [d1, d2] = dqaLayers(q);
    expect(dqaParamsOf(d1).tableGranularity).toBe('channel');
    expect(dqaParamsOf(d1).important.length).toBe(3);
    // The new model computes float layers + DQA quantizers, bit for bit.
    const got = q.predict(x) as tf.Tensor;
    const want = manualForward(dqaParamsOf(d1), dqaParamsOf(d2));
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    // Changing the copy does not touch the original.
    q.layers[0].setWeights(q.layers[0].getWeights().map((w) => tf.zerosLike(w)));
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
    tf.dispose([got, want]);
    q.dispose();
  });

  it('saves and loads through fileIO with identical predictions and DQA parameters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apply-dqa-'));
    try {
      const q = await applyDqa(model, { x, y }, { bits: 4, importantFraction: 0.5, ranking: 'error-energy' });
      await saveModel(q, dir);
      const loaded = await loadModel(dir);
      expect(dqaLayers(loaded).map((l) => dqaParamsOf(l))).toEqual(dqaLayers(q).map((l) => dqaParamsOf(l)));
      const a = q.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      q.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quantizes the activations of a net of lowbit layers (WRPN weights and activations) too', async () => {
    const wrpn = (bits: number, mode: string) => ({ className: 'LowbitWrpnQuantizer', config: { bits, mode } });
    const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
    const net = tfl.sequential({
      layers: [
        quantDense({
          units: 6,
          inputShape: [4],
          kernelQuantizer: wrpn(4, 'weight'),
          kernelInitializer: init(5),
          name: 'q1',
        }),
        quantActivation({ outputQuantizer: wrpn(4, 'activation'), name: 'act' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(6), name: 'out' }),
      ],
    });
    const q = await applyDqa(net, { x }, { bits: 3, importantFraction: 0.5, ranking: 'error-energy' });
    expect(q.layers.map((l) => l.name)).toEqual(['q1', 'act', 'act_dqa', 'out']);
    const [d] = dqaLayers(q);
    const got = q.predict(x) as tf.Tensor;
    const want = tf.tidy(() => {
      const h = net.layers[1].apply(net.layers[0].apply(x)) as tf.Tensor;
      return net.layers[2].apply(dqaFakeQuant(h, dqaParamsOf(d!))) as tf.Tensor;
    });
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([got, want]);
    q.dispose();
    net.dispose();
  });

  it('r = 0 is direct N-bit; r = 1 is direct (N + m)-bit with step delta_N / 2^m', async () => {
    const cal = calibrateDqa(model, { x }, { bits: 3, ranking: 'error-energy' });
    const none = await buildDqaModel(model, { ...cal, layers: cal.layers.map((l) => ({ ...l, important: [] })) });
    const every = await buildDqaModel(model, {
      ...cal,
      layers: cal.layers.map((l) => ({ ...l, important: [...l.scales.keys()] })),
    });
    const direct = (bits: number, div: number) =>
      cal.layers.map((l) => ({ bits, extraBits: 3, scales: l.scales.map((s) => s / div), important: [] }));
    const [d3, d6] = [direct(3, 1), direct(6, 8)];
    for (const [m, p] of [
      [none, d3],
      [every, d6],
    ] as const) {
      const got = m.predict(x) as tf.Tensor;
      const want = manualForward(p[0], p[1]);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([got, want]);
      m.dispose();
    }
  });

  it('rejects bad options, including the table granularity', async () => {
    await expect(applyDqa(model, { x, y }, { bits: 3, tableGranularity: 'tensor' as never })).rejects.toThrow(
      /tableGranularity/,
    );
    await expect(applyDqa(model, { x, y }, { bits: 3, importantFraction: 2 })).rejects.toThrow(/importantFraction = 2/);
    const cal = calibrateDqa(model, { x }, { bits: 3, ranking: 'error-energy' });
    await expect(buildDqaModel(model, { ...cal, layers: [{ ...cal.layers[0], layerName: 'zz' }] })).rejects.toThrow(
      /calibration.layers/,
    );
  });
});

describe('dqaStorageReport', () => {
  it('measures the real encoded size of every DQA layer input', async () => {
    const q = await applyDqa(model, { x, y }, { bits: 3, importantFraction: 0.5, ranking: 'error-energy' });
    const rows = dqaStorageReport(q, x);
    expect(rows.map((r) => r.layer)).toEqual(['h1', 'h2']);
    const h1 = tf.tidy(() => q.layers[0].apply(x) as tf.Tensor);
    const d1 = dqaLayers(q)[0];
    const bytes = encode(h1, dqaParamsOf(d1));
    expect(rows[0].encodedBytes).toBe(bytes.length);
    expect(rows[0].elements).toBe(48 * 6);
    expect(rows[0].bitsPerActivation).toBeCloseTo((bytes.length * 8) / (48 * 6), 12);
    expect(rows[0].ratioVsFloat32).toBeLessThan(1);
    expect(rows[0].directBytes).toBe(encode(h1, { ...dqaParamsOf(d1), important: [] }).length);
    expect(rows[0].errorBitsPerSymbol).toBeGreaterThanOrEqual(rows[0].errorEntropy! - 1e-9);
    expect(rows[0].errorBitsPerSymbol).toBeLessThan(rows[0].errorEntropy! + 1);
    // What was measured decodes to the layer's output.
    const out = tf.tidy(() => d1.apply(h1) as tf.Tensor);
    expect(Array.from(decodeActivations(bytes).values)).toEqual(Array.from(out.dataSync()));
    const total = storageTotal(rows);
    expect(total.encodedBytes).toBe(rows[0].encodedBytes + rows[1].encodedBytes);
    const table = formatStorageReport(rows);
    expect(table.split('\n')).toHaveLength(5);
    expect(table).toContain('| total |');
    expect(() => dqaStorageReport(model, x)).toThrow(/no DQA layers/);
    tf.dispose([h1, out]);
    q.dispose();
  });
});
