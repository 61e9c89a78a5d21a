/**
 * LeNet-5 (6C5-relu-MP2-16C5-relu-MP2-120-relu-84-relu-10-softmax) built from quant-core's generic
 * layers through `@lowbit/log-domain`'s factories, so the float net and the quantized nets have the
 * same weights layout (a float net is the same layers with no quantizers). The hidden activations
 * are the inputs of conv2, fc1, fc2 and out (after ReLU; pooling commutes with these monotone
 * quantizers, so quantizing a pooled input equals pooling the quantized activation); the pixels
 * stay float.
 *
 * ```ts
 * const float = lenet5(1);
 * const q = lenet5(1, { kernel: () => weightQuantizer('log', 5), input: () => activationQuantizer('log', 5, 'auto') });
 * const f = forwardWith(float, new Map([['conv2', activationQuantizer('log', 3, 1)]]));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { logConv2d, logDense } from '@lowbit/log-domain';
import type { Quantizer } from '@lowbit/quant-core';

export const LENET5 = 'LeNet-5: 6C5-relu-MP2-16C5-relu-MP2-120-relu-84-relu-10-softmax';
/** Layers whose input is a hidden activation. */
export const QUANTIZED_INPUTS = ['conv2', 'fc1', 'fc2', 'out'] as const;

export interface Parts {
  kernel?: (layer: string) => Quantizer | null;
  input?: (layer: string) => Quantizer | null;
}

export function lenet5(seed: number, parts: Parts = {}): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  const q = (name: string) => ({
    name,
    kernelQuantizer: parts.kernel?.(name) ?? null,
    inputQuantizer: (QUANTIZED_INPUTS as readonly string[]).includes(name) ? (parts.input?.(name) ?? null) : null,
  });
  return tfl.sequential({
    layers: [
      logConv2d({
        ...q('conv1'),
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      logConv2d({ ...q('conv2'), filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      logDense({ ...q('fc1'), units: 120, activation: 'relu', kernelInitializer: init(3) }),
      logDense({ ...q('fc2'), units: 84, activation: 'relu', kernelInitializer: init(4) }),
      logDense({ ...q('out'), units: 10, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
}

/**
 * A predictor running `model` (inference mode) with `inputs.get(layer)` applied to that layer's
 * input, on top of whatever the layers quantize themselves.
 */
export function forwardWith(model: tfl.LayersModel, inputs: Map<string, Quantizer>): (x: tf.Tensor) => tf.Tensor {
  return (x) =>
    tf.tidy(() => {
      let h = x;
      for (const layer of model.layers) {
        const q = inputs.get(layer.name);
        if (q) h = q.call(h);
        h = layer.apply(h) as tf.Tensor;
      }
      return h;
    });
}

/** Per layer of `names`, the max of its input over `x` (the float activations of `model`). */
export function inputMaxima(model: tfl.LayersModel, x: tf.Tensor, names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>(names.map((n) => [n, 0]));
  for (let s = 0; s < x.shape[0]; s += 500) {
    tf.tidy(() => {
      let h = tf.slice(x, s, Math.min(500, x.shape[0] - s));
      for (const layer of model.layers) {
        if (out.has(layer.name)) out.set(layer.name, Math.max(out.get(layer.name)!, tf.max(h).dataSync()[0]));
        h = layer.apply(h) as tf.Tensor;
      }
    });
  }
  return out;
}
