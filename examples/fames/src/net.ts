/**
 * The nets of the FAMES experiment: a mixed-precision LeNet-like net whose every layer multiplies
 * through an AppMul slot (8-bit first and last layers, 4-bit, 2-bit-weight and 3-bit inner
 * layers), and the float net of the same shape (the training baseline).
 *
 * ```ts
 * const { model, appLayers } = mixedPrecisionNet(1);   // AppMul layers conv1 .. logits
 * const float = floatNet(1);
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitUniformQuantizer } from '@lowbit/quant-core';
import { appMulConv2d, appMulDense, type AppMulLayer } from '@lowbit/fames-appmul';

/** Name, units, activation bits (unsigned), weight bits (signed) of each AppMul layer, input to output. */
export const LAYERS: ReadonlyArray<{ name: string; units: number; aBits: number; wBits: number }> = [
  { name: 'conv1', units: 8, aBits: 8, wBits: 8 },
  { name: 'conv2', units: 16, aBits: 4, wBits: 4 },
  { name: 'fc1', units: 128, aBits: 3, wBits: 2 },
  { name: 'fc2', units: 64, aBits: 4, wBits: 3 },
  { name: 'logits', units: 10, aBits: 8, wBits: 8 },
];

export const NET_DESCRIPTION =
  'conv1 8C5 (a8u w8s) relu MP2 - conv2 16C5 (a4u w4s) relu MP2 - fc1 128 (a3u w2s) relu - fc2 64 (a4u w3s) relu - logits 10 (a8u w8s) softmax';

const weightQuantizer = (bits: number) =>
  new LowbitUniformQuantizer({ bits, symmetric: true, perChannel: true, axis: -1 });
const activationQuantizer = (bits: number) =>
  new LowbitUniformQuantizer({ bits, symmetric: true, signed: false, range: 'ema' });
const init = (seed: number, layer: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + layer });

/** The mixed-precision net with AppMul layers (exact products until a multiplier is set). Not compiled. */
export function mixedPrecisionNet(seed: number): { model: tfl.Sequential; appLayers: AppMulLayer[] } {
  const appLayers = LAYERS.map((s, i) => {
    const common = {
      name: s.name,
      kernelInitializer: init(seed, i + 1),
      kernelQuantizer: weightQuantizer(s.wBits),
      inputQuantizer: activationQuantizer(s.aBits),
    };
    return i < 2
      ? appMulConv2d({
          ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
          filters: s.units,
          kernelSize: 5,
          activation: 'relu',
          ...common,
        })
      : appMulDense({ units: s.units, activation: i === LAYERS.length - 1 ? 'softmax' : 'relu', ...common });
  });
  const model = tfl.sequential({
    name: `fames_mixed_s${seed}`,
    layers: [
      appLayers[0],
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      appLayers[1],
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      appLayers[2],
      appLayers[3],
      appLayers[4],
    ],
  });
  return { model, appLayers: appLayers as AppMulLayer[] };
}

/** The same shape in float32 (no quantizers, no AppMul): the training baseline. Not compiled. */
export function floatNet(seed: number): tfl.Sequential {
  return tfl.sequential({
    name: `fames_float_s${seed}`,
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: init(seed, 1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(seed, 2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(seed, 3) }),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(seed, 4) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(seed, 5) }),
    ],
  });
}
