/**
 * A small, explicit description of a feed-forward image classifier (`NetSpec`), the LeNet-like
 * default used by the WRPN experiments, and `widenSpec`, WRPN's widening of such a description.
 *
 * Widening multiplies `filters` of every conv layer and `units` of every dense layer by the
 * width factor, except the last weight layer (the class outputs). The input shape is never
 * changed, so the first convolution keeps its input channels; pooling and flatten have no width.
 *
 * ```ts
 * const spec = lenetSpec();             // 32C5-MP2-64C5-MP2-512FC-10 on 28x28x1
 * const wide = widenSpec(spec, 2);      // 64C5-MP2-128C5-MP2-1024FC-10
 * ```
 */
import { LowbitConfigError, checkInteger, checkKnownKeys, checkOneOf } from '@lowbit/quant-core';

export type NetLayerSpec =
  | { type: 'conv2d'; name: string; filters: number; kernelSize: number; strides?: number; padding?: 'valid' | 'same' }
  | { type: 'dense'; name: string; units: number }
  | { type: 'maxPool'; name: string; poolSize: number }
  | { type: 'flatten'; name: string };

export interface NetSpec {
  /** Input shape without the batch axis, channels last. */
  inputShape: number[];
  /** Layers in order; the last weight layer produces the class scores. */
  layers: NetLayerSpec[];
}

export interface LenetSizes {
  conv1?: number;
  conv2?: number;
  fc?: number;
  classes?: number;
  inputShape?: number[];
}

/** LeNet-like: `conv1`C5 - MP2 - `conv2`C5 - MP2 - `fc`FC - `classes`. Defaults 32, 64, 512, 10 on 28x28x1. */
export function lenetSpec(sizes: LenetSizes = {}): NetSpec {
  if (sizes === null || typeof sizes !== 'object' || Array.isArray(sizes)) {
    throw new LowbitConfigError('sizes', sizes, 'expected { conv1?, conv2?, fc?, classes?, inputShape? }');
  }
  checkKnownKeys('sizes', sizes, ['conv1', 'conv2', 'fc', 'classes', 'inputShape']);
  const conv1 = checkInteger('conv1', sizes.conv1 ?? 32, 1, 1 << 16);
  const conv2 = checkInteger('conv2', sizes.conv2 ?? 64, 1, 1 << 16);
  const fc = checkInteger('fc', sizes.fc ?? 512, 1, 1 << 20);
  const classes = checkInteger('classes', sizes.classes ?? 10, 2, 1 << 20);
  return {
    inputShape: checkInputShape('sizes.inputShape', sizes.inputShape ?? [28, 28, 1]),
    layers: [
      { type: 'conv2d', name: 'conv1', filters: conv1, kernelSize: 5 },
      { type: 'maxPool', name: 'pool1', poolSize: 2 },
      { type: 'conv2d', name: 'conv2', filters: conv2, kernelSize: 5 },
      { type: 'maxPool', name: 'pool2', poolSize: 2 },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'fc1', units: fc },
      { type: 'dense', name: 'logits', units: classes },
    ],
  };
}

/** Checks a WRPN width factor: a positive integer. */
export function checkWidth(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64) {
    throw new LowbitConfigError('factor', value, 'expected a positive integer width factor from 1 to 64');
  }
  return value;
}

/** Index of the last conv/dense layer of `spec` (the class outputs). */
export function lastWeightLayerIndex(spec: NetSpec): number {
  checkNetSpec('spec', spec);
  for (let i = spec.layers.length - 1; i >= 0; i--)
    if (spec.layers[i].type === 'conv2d' || spec.layers[i].type === 'dense') return i;
  throw new LowbitConfigError(
    'spec.layers',
    spec.layers.map((l) => l.type),
    'expected at least one conv2d or dense layer',
  );
}

/** The `factor`-times wider network: filters/units times `factor`, class outputs and input unchanged. */
export function widenSpec(spec: NetSpec, factor: number): NetSpec {
  checkNetSpec('spec', spec);
  checkWidth(factor);
  const last = lastWeightLayerIndex(spec);
  return {
    inputShape: [...spec.inputShape],
    layers: spec.layers.map((layer, i) => {
      if (i === last) return { ...layer };
      if (layer.type === 'conv2d') return { ...layer, filters: layer.filters * factor };
      if (layer.type === 'dense') return { ...layer, units: layer.units * factor };
      return { ...layer };
    }),
  };
}

/** An input shape without the batch axis: 1 to 3 integers >= 1 (channels last). */
function checkInputShape(argument: string, value: unknown): number[] {
  if (
    !Array.isArray(value) ||
    value.length < 1 ||
    value.length > 3 ||
    !value.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    throw new LowbitConfigError(argument, value, 'expected 1 to 3 integers >= 1 (no batch axis, channels last)');
  }
  return [...value];
}

const LAYER_FIELDS: Record<NetLayerSpec['type'], readonly string[]> = {
  conv2d: ['type', 'name', 'filters', 'kernelSize', 'strides', 'padding'],
  dense: ['type', 'name', 'units'],
  maxPool: ['type', 'name', 'poolSize'],
  flatten: ['type', 'name'],
};

/** A {@link NetSpec}: input shape and layers with their fields, unknown keys rejected. */
export function checkNetSpec(argument: string, spec: unknown): NetSpec {
  if (typeof argument !== 'string' || argument.length === 0) {
    throw new LowbitConfigError('argument', argument, 'expected the name of the checked argument (a non-empty string)');
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new LowbitConfigError(argument, spec, 'expected { inputShape, layers }');
  }
  checkKnownKeys(argument, spec, ['inputShape', 'layers']);
  const s = spec as NetSpec;
  checkInputShape(`${argument}.inputShape`, s.inputShape);
  if (!Array.isArray(s.layers))
    throw new LowbitConfigError(`${argument}.layers`, s.layers, 'expected an array of layers');
  s.layers.forEach((layer, i) => {
    const at = `${argument}.layers[${i}]`;
    if (layer === null || typeof layer !== 'object') throw new LowbitConfigError(at, layer, 'expected a layer spec');
    const type = checkOneOf(`${at}.type`, layer.type, Object.keys(LAYER_FIELDS) as NetLayerSpec['type'][]);
    checkKnownKeys(at, layer, LAYER_FIELDS[type]);
    if (typeof layer.name !== 'string' || layer.name.length === 0) {
      throw new LowbitConfigError(`${at}.name`, layer.name, 'expected a non-empty layer name');
    }
    if (layer.type === 'conv2d') {
      checkInteger(`${at}.filters`, layer.filters, 1, 1 << 24);
      checkInteger(`${at}.kernelSize`, layer.kernelSize, 1, 1024);
      if (layer.strides !== undefined) checkInteger(`${at}.strides`, layer.strides, 1, 1024);
      if (layer.padding !== undefined) checkOneOf(`${at}.padding`, layer.padding, ['valid', 'same'] as const);
    } else if (layer.type === 'dense') {
      checkInteger(`${at}.units`, layer.units, 1, 1 << 24);
    } else if (layer.type === 'maxPool') {
      checkInteger(`${at}.poolSize`, layer.poolSize, 1, 1024);
    }
  });
  return s;
}
