import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitLogQuantizer,
  LowbitQuantConv2D,
  LowbitQuantDense,
  quantActivation,
} from '@lowbit/quant-core';
import { fileIO, loadModel } from '@lowbit/quant-core/node';
import { describe, expect, it } from 'vitest';
import { buildWrpnLenet } from './build-net.js';
import { wrpnPolicy } from './policy.js';
import { isWrpnActivation } from './wrpn-activation.js';

const tiny = { conv1: 2, conv2: 3, fc: 4, classes: 3, inputShape: [16, 16, 1] };

function images(n: number): tf.Tensor {
  return tf.tidy(() => tf.reshape(tf.div(tf.add(tf.sin(tf.mul(tf.range(0, n * 256), 0.37)), 1), 2), [n, 16, 16, 1]));
}

describe('buildWrpnLenet', () => {
  it('applies the width factor and the precision policy layer by layer', () => {
    const model = buildWrpnLenet({ ...tiny, width: 2, policy: wrpnPolicy({ weightBits: 2, inputBits: 4 }) });
    const quant = model.layers.filter(
      (l): l is LowbitQuantConv2D | LowbitQuantDense => l instanceof LowbitQuantConv2D || l instanceof LowbitQuantDense,
    );
    expect(quant.map((l) => l.weights[0].shape)).toEqual([
      [5, 5, 1, 4],
      [5, 5, 4, 6],
      [6, 8],
      [8, 3],
    ]);
    const bits = quant.map((l) => {
      const p = l.lowbitPrecision();
      return [l.name, p.weight!.bits, p.input!.bits];
    });
    expect(bits).toEqual([
      ['conv1', 8, 8],
      ['conv2', 2, 4],
      ['fc1', 2, 4],
      ['logits', 8, 8],
    ]);
    // The activation feeding each layer is quantized at that layer's input bits.
    const acts = model.layers.filter(isWrpnActivation).map((l) => [l.name, l.outputQuantizer.bits]);
    expect(acts).toEqual([
      ['conv1_wrpn_act', 4],
      ['conv2_wrpn_act', 4],
      ['fc1_wrpn_act', 8],
    ]);
  });

  it('builds the float baseline with ReLUs and no quantizers', () => {
    const model = buildWrpnLenet({ ...tiny, policy: wrpnPolicy({ weightBits: 32, inputBits: 32 }) });
    expect(model.layers.some(isWrpnActivation)).toBe(false);
    const conv1 = model.layers[0] as LowbitQuantConv2D;
    expect(conv1.kernelQuantizer).toBeNull();
    expect(model.layers.slice(0, 3).map((l) => l.getClassName())).toEqual([
      'LowbitQuantConv2D',
      'BatchNormalization',
      'ReLU',
    ]);
    const plain = buildWrpnLenet({ ...tiny, batchNorm: false, policy: wrpnPolicy({ weightBits: 32, inputBits: 32 }) });
    expect(plain.layers[0].getConfig().activation).toBe('relu');
    expect(plain.layers[1].getClassName()).toBe('MaxPooling2D');
  });

  it("carries other techniques' parts per layer: input quantizer, arithmetic, activation layer", async () => {
    const logInput = { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false, fsr: 0 } };
    const seen: string[] = [];
    const model = buildWrpnLenet({
      ...tiny,
      width: 2,
      policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }),
      parts: ({ name, type, position, bits }) => {
        seen.push(`${name}:${type}:${position}:${bits.weightBits}/${bits.inputBits}`);
        if (position !== 'inner') return undefined;
        const activationLayer =
          name === 'fc1' ? quantActivation({ activation: 'relu', name: 'fc1_custom_act' }) : undefined;
        return { inputQuantizer: logInput, arithmetic: 'exact', ...(activationLayer ? { activationLayer } : {}) };
      },
    });
    expect(seen).toEqual([
      'conv1:conv2d:first:8/8',
      'conv2:conv2d:inner:4/4',
      'fc1:dense:inner:4/4',
      'logits:dense:last:8/8',
    ]);
    const conv2 = model.getLayer('conv2') as LowbitQuantConv2D;
    expect(conv2.inputQuantizer).toBeInstanceOf(LowbitLogQuantizer);
    expect(conv2.lowbitPrecision()).toMatchObject({
      weight: { kind: 'int', bits: 4 },
      input: { kind: 'pow2', bits: 4 },
    });
    expect((model.getLayer('logits') as LowbitQuantDense).lowbitPrecision().input).toMatchObject({
      kind: 'int',
      bits: 8,
    });
    expect(model.layers.map((l) => l.name)).toContain('fc1_custom_act');
    expect(model.layers.map((l) => l.name)).not.toContain('fc1_wrpn_act');
    const x = images(2);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    tf.dispose([x, y]);
    expect(() =>
      buildWrpnLenet({
        ...tiny,
        policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }),
        parts: () => ({ bits: 3 }) as never,
      }),
    ).toThrow(/parts\(conv1\).bits/);
    expect(() =>
      buildWrpnLenet({ ...tiny, policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }), parts: 3 as never }),
    ).toThrow(/options.parts/);
  });

  it('rejects bad widths and a missing policy', () => {
    const policy = wrpnPolicy({ weightBits: 4, inputBits: 4 });
    for (const width of [0, -1, 2.5])
      expect(() => buildWrpnLenet({ ...tiny, width, policy })).toThrow(LowbitConfigError);
    expect(() => buildWrpnLenet({ ...tiny } as never)).toThrow(/options.policy/);
  });

  it('trains without leaking tensors and reduces the training loss', async () => {
    const model = buildWrpnLenet({ ...tiny, width: 2, policy: wrpnPolicy({ weightBits: 2, inputBits: 2 }) });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const x = images(6);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    await model.fit(x, y, { epochs: 1, batchSize: 6, verbose: 0 });
    const before = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 12, batchSize: 6, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    tf.dispose([x, y]);
  });

  it('saves and loads through fileIO with identical predictions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrpn-'));
    try {
      const model = buildWrpnLenet({
        ...tiny,
        width: 3,
        policy: wrpnPolicy({ weightBits: 4, inputBits: 2, overrides: { fc1: 3 } }),
      });
      const x = images(5);
      const before = model.predict(x) as tf.Tensor;
      await model.save(fileIO(dir));
      const loaded = await tfl.loadLayersModel(fileIO(dir));
      const after = loaded.predict(x) as tf.Tensor;
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
      const fc1 = loaded.getLayer('fc1') as LowbitQuantDense;
      expect(fc1.lowbitPrecision().weight!.bits).toBe(3);
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
      tf.dispose([x, before, after]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a WRPN LeNet saved by the previous release (tools/fixtures/v0/buildWrpnLenet)', () => {
  const fixture = fileURLToPath(new URL('../../../tools/fixtures/v0/buildWrpnLenet/', import.meta.url));
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
    constructorArgs: {
      conv1: number;
      conv2: number;
      fc: number;
      classes: number;
      inputShape: number[];
      width: number;
      seed: number;
    };
    input: { shape: number[]; values: number[] };
    output: { shape: number[]; values: number[] };
  };

  it("loads through fileIO and predicts what it predicted when saved; today's builder makes the same net", async () => {
    const loaded = await loadModel(fixture);
    expect(loaded.layers.filter(isWrpnActivation).map((l) => l.name)).toEqual([
      'conv1_wrpn_act',
      'conv2_wrpn_act',
      'fc1_wrpn_act',
    ]);
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const y = loaded.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(expected.output.values);
    // The same arguments (the policy's activationBits is inputBits now) build the same layers.
    const rebuilt = buildWrpnLenet({
      ...expected.constructorArgs,
      policy: wrpnPolicy({ weightBits: 4, inputBits: 4, firstLastBits: 8 }),
    });
    expect(rebuilt.layers.map((l) => [l.name, l.getClassName()])).toEqual(
      loaded.layers.map((l) => [l.name, l.getClassName()]),
    );
    rebuilt.setWeights(loaded.getWeights());
    const z = rebuilt.predict(x) as tf.Tensor;
    expect(Array.from(z.dataSync())).toEqual(expected.output.values);
    tf.dispose([x, y, z]);
    loaded.dispose();
    rebuilt.dispose();
  });
});
