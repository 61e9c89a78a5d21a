/**
 * A small Fashion-MNIST conv net with quant-core quantizers on every weight and activation:
 * 4-bit per-channel symmetric weights, 4-bit unsigned activations (EMA range), 8-bit first
 * and last layers (the usual first/last policy).
 *
 * ```ts
 * const model = buildQuantizedNet({ seed: 1 });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitUniformQuantizer, quantConv2d, quantDense } from '@lowbit/quant-core';

export interface QuantizedNetOptions {
  /** Bits of the inner layers' weights and activations. Default 4. */
  bits?: number;
  /** Seed of the weight initialisers. Default 1. */
  seed?: number;
}

export function buildQuantizedNet({ bits = 4, seed = 1 }: QuantizedNetOptions = {}): tfl.LayersModel {
  const weights = (b: number) => new LowbitUniformQuantizer({ bits: b, symmetric: true, perChannel: true, axis: -1 });
  const activations = (b: number) =>
    new LowbitUniformQuantizer({ bits: b, symmetric: true, signed: false, range: 'ema' });
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  return tfl.sequential({
    layers: [
      quantConv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 5,
        activation: 'relu',
        kernelQuantizer: weights(8),
        kernelInitializer: init(0),
        name: 'conv1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      quantConv2d({
        filters: 16,
        kernelSize: 5,
        activation: 'relu',
        kernelQuantizer: weights(bits),
        inputQuantizer: activations(bits),
        kernelInitializer: init(1),
        name: 'conv2',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      quantDense({
        units: 64,
        activation: 'relu',
        kernelQuantizer: weights(bits),
        inputQuantizer: activations(bits),
        kernelInitializer: init(2),
        name: 'dense1',
      }),
      quantDense({
        units: 10,
        activation: 'softmax',
        kernelQuantizer: weights(8),
        inputQuantizer: activations(8),
        kernelInitializer: init(3),
        name: 'classes',
      }),
    ],
  });
}
