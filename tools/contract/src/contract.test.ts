// The layer contract (docs/architecture.md), run for every combination of a registered quantizer
// (on kernel and input) x a registered arithmetic x dense / conv2d / depthwise-conv2d, plus the
// no-parts equality with tfjs. Invalid combinations must throw a LowbitConfigError naming both
// parts; every valid one must round-trip its config, save and load through fileIO with identical
// predictions, recompute its forward pass from exported integers, report a valid precision and
// cost, and train without leaking tensors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import * as quantCore from '@lowbit/quant-core';
import type { LowbitQuantLayer } from '@lowbit/quant-core';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { summary } from '@lowbit/hw-model';
// Every technique package registers its parts at import.
import '@lowbit/log-domain';
import '@lowbit/wage-train';
import '@lowbit/fames-appmul';
import '@lowbit/dqa-activations';
import '@lowbit/wrpn-layers';
import { ARITHMETIC_SAMPLES, QUANTIZER_SAMPLES } from './samples.js';

const {
  LowbitConfigError,
  getQuantizer,
  quantActivation,
  registeredArithmetics,
  registeredQuantizers,
  quantConv2d,
  quantDense,
  quantDepthwiseConv2d,
} = quantCore;
type Op = 'dense' | 'conv2d' | 'depthwise-conv2d';
const OPS: Op[] = ['dense', 'conv2d', 'depthwise-conv2d'];
const work = mkdtempSync(join(tmpdir(), 'lowbit-contract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic values in [-amp, amp). */
function ramp(shape: number[], amp = 1, phase = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => amp * Math.sin(1.37 * i + phase + 0.2)),
    shape,
  );
}

const INPUT_SHAPE: Record<Op, number[]> = { dense: [5], conv2d: [6, 6, 3], 'depthwise-conv2d': [6, 6, 3] };

function makeLayer(op: Op, parts: Record<string, unknown>, extra: Record<string, unknown> = {}): tfl.layers.Layer {
  const common = { inputShape: INPUT_SHAPE[op], ...parts, ...extra };
  if (op === 'dense') return quantDense({ units: 3, activation: 'relu', ...common } as never);
  if (op === 'conv2d') return quantConv2d({ filters: 4, kernelSize: 3, padding: 'same', ...common } as never);
  return quantDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, ...common } as never);
}

function tfjsLayer(op: Op, extra: Record<string, unknown> = {}): tfl.layers.Layer {
  const common = { inputShape: INPUT_SHAPE[op], ...extra };
  if (op === 'dense') return tfl.layers.dense({ units: 3, activation: 'relu', ...common } as never);
  if (op === 'conv2d') return tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', ...common } as never);
  return tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, ...common } as never);
}

function modelOf(layer: tfl.layers.Layer, op: Op): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [layer];
  if (op !== 'dense') layers.push(tfl.layers.flatten(), tfl.layers.dense({ units: 2, kernelInitializer: 'ones' }));
  const model = tfl.sequential({ layers });
  // Deterministic, non-trivial weights for every variable (quantizer state included).
  layer.setWeights(layer.getWeights().map((w, i) => ramp(w.shape, 0.8, i)));
  return model;
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

interface Tally {
  valid: number;
  invalid: number;
  integerExact: number;
  integerClose: number;
  integerNotExportable: number;
  combos: string[];
}
const tally: Tally = { valid: 0, invalid: 0, integerExact: 0, integerClose: 0, integerNotExportable: 0, combos: [] };

describe('layer contract: no parts equals the tfjs layer', () => {
  for (const op of OPS) {
    it(`${op}: same config keys and defaults, same output bit for bit`, () => {
      const ours = makeLayer(op, {}, { name: `plain_${op.replace(/-/g, '_')}` });
      const theirs = tfjsLayer(op, { name: `plain_${op.replace(/-/g, '_')}` });
      const x = ramp([2, ...INPUT_SHAPE[op]], 1.5);
      const a = theirs.apply(x) as tf.Tensor;
      ours.apply(x);
      ours.setWeights(theirs.getWeights());
      const b = ours.apply(x) as tf.Tensor;
      expect(values(b)).toEqual(values(a));
      const ourConfig = ours.getConfig();
      const theirConfig = theirs.getConfig();
      for (const [key, value] of Object.entries(theirConfig)) {
        // tfjs 4.22's depthwise layer saves its regularizer under depthwiseConstraint (lowbit saves the constraint).
        if (op === 'depthwise-conv2d' && key === 'depthwiseConstraint') continue;
        expect(ourConfig[key], key).toEqual(value);
      }
      expect(
        Object.keys(ourConfig)
          .filter((k) => !(k in theirConfig))
          .sort(),
      ).toEqual(['arithmetic', 'inputQuantizer', 'kernelQuantizer', 'outputQuantizer']);
      tf.dispose([x, a, b]);
    });
  }
});

describe('layer contract: every quantizer x arithmetic x operation', () => {
  it('every registered part class has a contract sample', () => {
    const missingQ = registeredQuantizers()
      .map((c) => c.className)
      .filter((n) => !(n in QUANTIZER_SAMPLES));
    const missingA = registeredArithmetics()
      .map((c) => c.className)
      .filter((n) => !(n in ARITHMETIC_SAMPLES));
    expect({ missingQ, missingA }).toEqual({ missingQ: [], missingA: [] });
  });

  it('runs the contract on every valid combination; invalid ones throw naming both parts', async () => {
    for (const q of registeredQuantizers()) {
      const sample = QUANTIZER_SAMPLES[q.className];
      if (sample === undefined || sample.kernel === null || sample.input === null) continue;
      for (const a of registeredArithmetics()) {
        const arithmeticConfig = ARITHMETIC_SAMPLES[a.className];
        if (arithmeticConfig === undefined) continue;
        for (const op of OPS) {
          const label = `${q.className} x ${a.className} x ${op}`;
          const parts = {
            kernelQuantizer: { className: q.className, config: sample.kernel },
            inputQuantizer: { className: q.className, config: sample.input },
            arithmetic: { className: a.className, config: arithmeticConfig },
          };
          let layer: tfl.layers.Layer;
          try {
            layer = makeLayer(op, parts);
          } catch (e) {
            expect(e, label).toBeInstanceOf(LowbitConfigError);
            const message = (e as Error).message;
            expect(message, label).toContain(a.className);
            expect(message, label).toContain(q.className);
            tally.invalid++;
            continue;
          }
          await runContract(label, op, layer, parts);
          tally.valid++;
          tally.combos.push(label);
        }
      }
    }
    console.log(
      `layer contract: ${tally.valid} valid combinations passed, ${tally.invalid} invalid rejected by name; ` +
        `integer forward bit-exact ${tally.integerExact}, within float32 rounding ${tally.integerClose}, no integer export ${tally.integerNotExportable}`,
    );
    expect(tally.valid).toBeGreaterThan(20);
  });
});

describe('layer contract: quantActivation with every quantizer as its output part', () => {
  it('round-trips config, saves and loads identically, reports its precision, trains without leaks', async () => {
    let ran = 0;
    for (const q of registeredQuantizers()) {
      const sample = QUANTIZER_SAMPLES[q.className];
      const config = sample?.activation ?? sample?.input;
      if (!config) continue;
      const label = `${q.className} as quantActivation output`;
      const layer = quantActivation({
        inputShape: [5],
        activation: 'relu',
        outputQuantizer: { className: q.className, config },
      });
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [5], units: 5, kernelInitializer: 'identity' }),
          layer,
          tfl.layers.dense({ units: 2 }),
        ],
      });
      const x = ramp([4, 5], 1.5, 0.3);
      const y = model.predict(x) as tf.Tensor;
      const saved = layer.getConfig();
      const cls = layer.constructor as unknown as { fromConfig: (c: unknown, cfg: unknown) => tfl.layers.Layer };
      expect(
        { ...cls.fromConfig(cls, { ...structuredClone(saved), name: 'copy' }).getConfig(), name: saved.name },
        label,
      ).toEqual(saved);
      const dir = join(work, `act_${q.className}`);
      await saveModel(model, dir);
      const loaded = await loadModel(dir);
      const y2 = loaded.predict(x) as tf.Tensor;
      expect(values(y2), `${label}: save/load`).toEqual(values(y));
      expect(layer.lowbitOperation()).toBe('activation');
      expect(layer.lowbitPrecision().output, label).toEqual(
        getQuantizer({ className: q.className, config })!.precision(),
      );
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      const target = tf.zeros([4, 2]);
      await model.fit(x, target, { epochs: 1, batchSize: 4, verbose: 0 });
      const before = tf.memory().numTensors;
      await model.fit(x, target, { epochs: 3, batchSize: 4, verbose: 0 });
      expect(tf.memory().numTensors, `${label}: leak`).toBe(before);
      tf.dispose([x, y, y2, target]);
      ran++;
    }
    console.log(`activation contract: ${ran} quantizers as quantActivation output parts`);
    expect(ran).toBe(
      registeredQuantizers().filter(
        (q) => QUANTIZER_SAMPLES[q.className]?.activation ?? QUANTIZER_SAMPLES[q.className]?.input,
      ).length,
    );
  });
});

async function runContract(
  label: string,
  op: Op,
  layer: tfl.layers.Layer,
  parts: Record<string, unknown>,
): Promise<void> {
  const model = modelOf(layer, op);
  const x = ramp([3, ...INPUT_SHAPE[op]], 1.5, 0.7);
  const y = model.predict(x) as tf.Tensor;
  expect(values(y).every(Number.isFinite), `${label}: finite output`).toBe(true);

  // getConfig round trip: the same config, and the same output from a fresh layer with the same weights.
  // (tfjs's deserializers write customObjects into the config they are given: pass a deep copy.)
  const config = layer.getConfig();
  const cls = layer.constructor as unknown as { fromConfig: (c: unknown, cfg: unknown) => tfl.layers.Layer };
  const copy = cls.fromConfig(cls, { ...structuredClone(config), name: `${config.name}_copy` });
  expect({ ...copy.getConfig(), name: config.name }, `${label}: config round trip`).toEqual(config);

  // fileIO save / load with identical predictions.
  const dir = join(work, label.replace(/[^a-zA-Z0-9]+/g, '_'));
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  const y2 = loaded.predict(x) as tf.Tensor;
  expect(values(y2), `${label}: save/load`).toEqual(values(y));

  // Integer forward from exported codes reproduces the layer's forward pass.
  const q = layer as LowbitQuantLayer;
  const direct = layer.apply(x) as tf.Tensor;
  let integer: tf.Tensor | null = null;
  try {
    integer = q.integerForward(x);
  } catch (e) {
    expect(e, `${label}: integer export`).toBeInstanceOf(LowbitConfigError);
    tally.integerNotExportable++;
  }
  if (integer) {
    const d = values(direct);
    const i = values(integer);
    const scale = Math.max(1e-6, ...d.map(Math.abs));
    const maxDiff = Math.max(...d.map((v, k) => Math.abs(v - i[k]!)));
    expect(maxDiff / scale, `${label}: integer forward`).toBeLessThan(1e-5);
    if (maxDiff === 0) tally.integerExact++;
    else tally.integerClose++;
    integer.dispose();
  }

  // Precision report and hw-model cost.
  const p = q.lowbitPrecision();
  for (const operand of [p.weight, p.input]) {
    expect(operand, `${label}: precision`).toBeDefined();
    expect(['float', 'int', 'pow2', 'binary', 'zero-one', 'ternary']).toContain(operand!.kind);
    expect(Number.isInteger(operand!.bits) && operand!.bits > 0, `${label}: bits`).toBe(true);
  }
  const cost = summary(model);
  const row = cost.layers.find((r) => r.name === layer.name)!;
  expect(row, `${label}: summary row`).toBeDefined();
  expect(row.macs, `${label}: MACs`).toBeGreaterThan(0);
  expect(Number.isFinite(row.energy.totalPj) && row.energy.totalPj > 0, `${label}: energy`).toBe(true);

  // No tensor leak over repeated fit steps.
  const labels = tf.oneHot(tf.tensor1d([0, 1, 0], 'int32'), op === 'dense' ? 3 : 2);
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  await model.fit(x, labels, { epochs: 1, batchSize: 3, verbose: 0 });
  const before = tf.memory().numTensors;
  await model.fit(x, labels, { epochs: 3, batchSize: 3, verbose: 0 });
  expect(tf.memory().numTensors, `${label}: leak`).toBe(before);
  expect(parts).toBeDefined();
  tf.dispose([x, y, y2, direct, labels]);
  loaded.dispose?.();
}
