/**
 * One tiny model per layer factory of the ported packages (the leak table and the determinism
 * checks share them). Each case builds its model from a seed, so two builds with the same seed
 * start from the same weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as qc from '@lowbit/quant-core';
import * as ld from '@lowbit/log-domain';
import * as dqa from '@lowbit/dqa-activations';
import * as wrpn from '@lowbit/wrpn-layers';
import * as wage from '@lowbit/wage-train';
import * as fames from '@lowbit/fames-appmul';

export interface LayerCase {
  /** Package the factory comes from. */
  pkg: string;
  /** Factory and parts, as the table prints it. */
  layer: string;
  /** Input shape without the batch axis. */
  inputShape: number[];
  /** The layer under test, built with the given seed. */
  make: (seed: number) => tfl.layers.Layer;
  /** Kind of the layer, for the model around it. */
  kind: 'dense' | 'conv' | 'activation';
}

const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const aQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const uni = (seed: number) => tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed });

export const LAYER_CASES: LayerCase[] = [
  {
    pkg: 'quant-core',
    layer: 'quantDense (wrpn w4 kernel, wrpn a4 input)',
    inputShape: [4],
    kind: 'dense',
    make: (s) => qc.quantDense({ units: 3, kernelQuantizer: wQ, inputQuantizer: aQ, kernelInitializer: uni(s) }),
  },
  {
    pkg: 'quant-core',
    layer: 'quantDense (uniform 4b ema input, lsq kernel)',
    inputShape: [4],
    kind: 'dense',
    make: (s) =>
      qc.quantDense({
        units: 3,
        kernelQuantizer: { className: 'LowbitUniformQuantizer', config: { bits: 4, range: 'lsq' } },
        inputQuantizer: { className: 'LowbitUniformQuantizer', config: { bits: 4, range: 'ema' } },
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'quant-core',
    layer: 'quantConv2d (dorefa w2, wrpn a4)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      qc.quantConv2d({
        filters: 2,
        kernelSize: 2,
        kernelQuantizer: { className: 'LowbitDorefaQuantizer', config: { bits: 2 } },
        inputQuantizer: aQ,
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'quant-core',
    layer: 'quantDepthwiseConv2d (ternary, same padding)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      qc.quantDepthwiseConv2d({
        kernelSize: 2,
        padding: 'same',
        kernelQuantizer: 'ternary',
        depthwiseInitializer: uni(s),
      }),
  },
  {
    pkg: 'quant-core',
    layer: 'quantActivation (relu, wrpn a4 output)',
    inputShape: [4],
    kind: 'activation',
    make: () => qc.quantActivation({ activation: 'relu', outputQuantizer: aQ }),
  },
  {
    pkg: 'log-domain',
    layer: "logDense (w4 a4, 'shift')",
    inputShape: [4],
    kind: 'dense',
    make: (s) => ld.logDense({ units: 3, weightBits: 4, inputBits: 4, arithmetic: 'shift', kernelInitializer: uni(s) }),
  },
  {
    pkg: 'log-domain',
    layer: "logDense (w4 a4, 'log-accumulate')",
    inputShape: [4],
    kind: 'dense',
    make: (s) =>
      ld.logDense({ units: 3, weightBits: 4, inputBits: 4, arithmetic: 'log-accumulate', kernelInitializer: uni(s) }),
  },
  {
    pkg: 'log-domain',
    layer: "logConv2d (w4 a4, 'shift')",
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      ld.logConv2d({
        filters: 2,
        kernelSize: 2,
        weightBits: 4,
        inputBits: 4,
        arithmetic: 'shift',
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'log-domain',
    layer: "logConv2d (w4 a4, 'log-accumulate')",
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      ld.logConv2d({
        filters: 2,
        kernelSize: 2,
        weightBits: 4,
        inputBits: 4,
        arithmetic: 'log-accumulate',
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'dqa-activations',
    layer: 'dqaActivation (N4 m2, 1 of 4 channels important)',
    inputShape: [4],
    kind: 'activation',
    make: () => dqa.dqaActivation({ outputBits: 4, extraBits: 2, scales: [0.1, 0.1, 0.2, 0.05], important: [2] }),
  },
  {
    pkg: 'wrpn-layers',
    layer: 'wrpnDense (w4 a4, width 2)',
    inputShape: [4],
    kind: 'dense',
    make: (s) => wrpn.wrpnDense({ units: 2, weightBits: 4, inputBits: 4, width: 2, kernelInitializer: uni(s) }),
  },
  {
    pkg: 'wrpn-layers',
    layer: 'wrpnConv2d (w2 a4)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) => wrpn.wrpnConv2d({ filters: 2, kernelSize: 2, weightBits: 2, inputBits: 4, kernelInitializer: uni(s) }),
  },
  {
    pkg: 'wrpn-layers',
    layer: 'wrpnActivation (a4)',
    inputShape: [4],
    kind: 'activation',
    make: () => wrpn.wrpnActivation({ outputBits: 4 }),
  },
  {
    pkg: 'wage-train',
    layer: 'wageDense (W2)',
    inputShape: [4],
    kind: 'dense',
    make: (s) => wage.wageDense({ units: 3, weightBits: 2, seed: s }),
  },
  {
    pkg: 'wage-train',
    layer: 'wageConv2d (W2)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) => wage.wageConv2d({ filters: 2, kernelSize: 2, weightBits: 2, seed: s }),
  },
  {
    pkg: 'wage-train',
    layer: 'wageActivation (A8, E8)',
    inputShape: [4],
    kind: 'activation',
    make: () => wage.wageActivation({ outputBits: 8, errorBits: 8 }),
  },
  {
    pkg: 'fames-appmul',
    layer: 'appMulDense (trunc3_a4u_w4s)',
    inputShape: [4],
    kind: 'dense',
    make: (s) =>
      fames.appMulDense({
        units: 3,
        inputQuantizer: aQ,
        kernelQuantizer: wQ,
        multiplier: 'trunc3_a4u_w4s',
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'fames-appmul',
    layer: 'appMulConv2d (trunc3_a4u_w4s)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      fames.appMulConv2d({
        filters: 2,
        kernelSize: 2,
        inputQuantizer: aQ,
        kernelQuantizer: wQ,
        multiplier: 'trunc3_a4u_w4s',
        kernelInitializer: uni(s),
      }),
  },
  {
    pkg: 'fames-appmul',
    layer: 'appMulDepthwiseConv2d (trunc3_a4u_w4s)',
    inputShape: [5, 5, 2],
    kind: 'conv',
    make: (s) =>
      fames.appMulDepthwiseConv2d({
        kernelSize: 2,
        inputQuantizer: aQ,
        kernelQuantizer: wQ,
        multiplier: 'trunc3_a4u_w4s',
        depthwiseInitializer: uni(s),
      }),
  },
];

/** `layer` inside a tiny classifier: (dense 4 before an activation layer) -> layer -> flatten -> dense 2. */
export function modelFor(c: LayerCase, seed: number): tfl.Sequential {
  const layers: tfl.layers.Layer[] = [];
  if (c.kind === 'activation') {
    layers.push(tfl.layers.dense({ units: 4, inputShape: c.inputShape, kernelInitializer: uni(seed + 100) }));
    layers.push(c.make(seed));
  } else {
    layers.push(tfl.layers.inputLayer({ inputShape: c.inputShape }) as unknown as tfl.layers.Layer);
    layers.push(c.make(seed));
  }
  if (c.kind === 'conv') layers.push(tfl.layers.flatten());
  layers.push(tfl.layers.dense({ units: 2, kernelInitializer: uni(seed + 200) }));
  const model = tfl.sequential({ layers });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  return model;
}

/** Deterministic training data for a case: `n` samples, targets in [0, 1]. */
export function dataFor(c: LayerCase, n: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const rng = new qc.SeededRng(seed);
  const x = tf.tensor(rng.uniform(n * c.inputShape.reduce((a, b) => a * b, 1)), [n, ...c.inputShape]);
  const y = tf.tensor(rng.uniform(n * 2), [n, 2]);
  return { x, y };
}
