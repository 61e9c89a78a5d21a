/**
 * What one layer computes per sample, read from what it says it is, its config and its shapes:
 * groups of multiply-accumulates (with fan-in and the weights they use), element-wise operations
 * (pooling compares, merge adds, bias adds), parameters, and whether it moves data at all.
 *
 * A lowbit layer says what it computes: `lowbitOperation()` (`'dense'`, `'conv2d'`,
 * `'depthwise-conv2d'`, `'activation'`; `isLowbitLayer` in `@lowbit/quant-core`); its config has
 * the geometry fields of the tfjs layer it replaces. A plain tfjs layer is recognised by its exact
 * tfjs class name (`Dense`, `Conv2D`, `MaxPooling2D`, ...; {@link TFJS_WORK_KINDS}). Anything else
 * is `unknown` (reported "not costed"); class names are never matched by pattern.
 *
 * ```ts
 * const work = layerWork(denseLayer, [[null, 784]], [null, 300]);
 * // { kind: 'dense', macGroups: [{ macs: 235200, fanIn: 784, ... }], ... }
 * ```
 */
import { LowbitConfigError, isLowbitLayer, type LayerPrecision } from '@lowbit/quant-core';
import { checkLayer, checkRecord, checkShape } from './check-args.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';

type Layer = LayersModel['layers'][number];
export type Shape = (number | null)[];

/** Multiply-accumulates that share operands and fan-in (one per layer; two for separable conv). */
export interface MacGroup {
  /** Label shown when a layer has more than one group ('depthwise', 'pointwise'). */
  label: string;
  /** Multiply-accumulates per sample. */
  macs: number;
  /** Products summed into one output. */
  fanIn: number;
  /** Weights this group multiplies (stored at the weight precision). */
  weightParams: number;
  /** True when the weights are the layer's quantized kernel; false for batch-norm scales. */
  kernel: boolean;
}

/** Element-wise work costed with an adder at the width of the data it runs on. */
export interface ElementOps {
  /** Operations per sample. */
  count: number;
  /** What the operations are (shown in reports). */
  what: string;
  /** Width source: the layer's input tensor or its accumulator (bias adds). */
  on: 'input' | 'accumulator';
}

export type WorkKind =
  | 'dense'
  | 'conv1d'
  | 'conv2d'
  | 'depthwise-conv2d'
  | 'separable-conv2d'
  | 'conv2d-transpose'
  | 'batch-norm'
  | 'pooling'
  | 'merge'
  | 'activation'
  | 'view'
  | 'data-movement'
  | 'quantizer'
  | 'unknown';

export interface LayerWork {
  kind: WorkKind;
  macGroups: MacGroup[];
  elementOps: ElementOps[];
  /** Parameters stored at 32 bits (biases, batch-norm statistics). */
  otherParams: number;
  /** Output elements per sample (first output). */
  outputElements: number;
  /** Input elements per sample, one entry per input tensor. */
  inputElements: number[];
  /** False for views (flatten, reshape, dropout at inference, concatenate into one buffer). */
  movesData: boolean;
  /** Output keeps the input's representation (pooling, views, simple activations, concatenation). */
  passThrough: boolean;
  /** Why parts of the layer are not costed (empty when fully costed). */
  notCosted: string[];
  /** Non-fatal remarks (costed, but an approximation the user should know). */
  notes: string[];
}

/** The tfjs layer classes hw-model has a cost model for, by their exact tfjs class names. */
export const TFJS_WORK_KINDS: Readonly<Record<string, WorkKind>> = Object.freeze({
  Dense: 'dense',
  Conv1D: 'conv1d',
  Conv2D: 'conv2d',
  DepthwiseConv2D: 'depthwise-conv2d',
  SeparableConv2D: 'separable-conv2d',
  Conv2DTranspose: 'conv2d-transpose',
  BatchNormalization: 'batch-norm',
  MaxPooling1D: 'pooling',
  MaxPooling2D: 'pooling',
  AveragePooling1D: 'pooling',
  AveragePooling2D: 'pooling',
  GlobalMaxPooling1D: 'pooling',
  GlobalMaxPooling2D: 'pooling',
  GlobalAveragePooling1D: 'pooling',
  GlobalAveragePooling2D: 'pooling',
  Add: 'merge',
  Subtract: 'merge',
  Average: 'merge',
  Maximum: 'merge',
  Minimum: 'merge',
  Multiply: 'merge',
  Activation: 'activation',
  ReLU: 'activation',
  // Identity at inference, or a change of shape only: no compute, no data movement.
  InputLayer: 'view',
  Flatten: 'view',
  Reshape: 'view',
  Dropout: 'view',
  SpatialDropout1D: 'view',
  SpatialDropout2D: 'view',
  GaussianNoise: 'view',
  GaussianDropout: 'view',
  AlphaDropout: 'view',
  Concatenate: 'view',
  // Copies data into a new layout: memory traffic, no arithmetic.
  ZeroPadding2D: 'data-movement',
  Cropping2D: 'data-movement',
  UpSampling2D: 'data-movement',
  Permute: 'data-movement',
  RepeatVector: 'data-movement',
});

/** Activations that cost nothing next to the MACs (a sign test, a clamp). */
const FREE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'Linear', 'Relu', 'Relu6']);

const LOWBIT_OPERATIONS = ['dense', 'conv2d', 'depthwise-conv2d', 'activation'] as const;

/**
 * What `layer` computes: from `lowbitOperation()` for a lowbit layer, from its exact tfjs class
 * name otherwise; `undefined` when hw-model has no cost model for it. A lowbit activation layer is
 * a `quantizer` when it quantizes its output (`precision.output`, not float), an identity
 * (`view`) when it has no quantizer and a linear activation, and an `activation` otherwise.
 */
export function workKindOf(layer: Layer, precision?: LayerPrecision): WorkKind | undefined {
  checkLayer('layer', layer);
  if (precision !== undefined) checkRecord('precision', precision, 'a LayerPrecision (layer.lowbitPrecision())');
  if (isLowbitLayer(layer)) {
    const operation: string = layer.lowbitOperation();
    if (operation !== 'activation') {
      return (LOWBIT_OPERATIONS as readonly string[]).includes(operation) ? (operation as WorkKind) : undefined;
    }
    if (precision?.output && precision.output.kind !== 'float') return 'quantizer';
    const config = layer.getConfig() as Record<string, unknown>;
    const quantizesInput = precision?.input !== undefined && precision.input.kind !== 'float';
    return !quantizesInput && (config.activation ?? 'linear') === 'linear' ? 'view' : 'activation';
  }
  const className = layer.getClassName();
  return Object.hasOwn(TFJS_WORK_KINDS, className) ? TFJS_WORK_KINDS[className] : undefined;
}

const product = (dims: Shape) => dims.reduce<number>((a, d) => a * (d ?? Number.NaN), 1);

function tuple(value: unknown, rank: number): number[] {
  if (typeof value === 'number') return Array(rank).fill(value);
  if (Array.isArray(value)) return value as number[];
  return Array(rank).fill(1);
}

function activationName(layer: Layer, config: Record<string, unknown>): string | undefined {
  const fromConfig = config.activation;
  if (typeof fromConfig === 'string') return fromConfig;
  const fn = (layer as unknown as { activation?: { getClassName?: () => string } }).activation;
  return typeof fn?.getClassName === 'function' ? fn.getClassName() : undefined;
}

/**
 * Per-sample work of `layer` with the given input and output shapes (batch dimension first).
 * `precision` is the layer's `lowbitPrecision()` where it has one (it tells a lowbit activation
 * that quantizes from one that is an identity).
 */
export function layerWork(
  layer: Layer,
  inputShapes: Shape[],
  outputShape: Shape,
  precision?: LayerPrecision,
): LayerWork {
  checkLayer('layer', layer);
  if (!Array.isArray(inputShapes) || inputShapes.length === 0) {
    throw new LowbitConfigError(
      'inputShapes',
      inputShapes,
      'expected a non-empty array of shapes (batch dimension first)',
    );
  }
  inputShapes.forEach((s, i) => checkShape(`inputShapes[${i}]`, s, 1));
  checkShape('outputShape', outputShape, 1);
  const className = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  const outputElements = product(outputShape.slice(1));
  const inputElements = inputShapes.map((s) => product(s.slice(1)));
  const work: LayerWork = {
    kind: 'unknown',
    macGroups: [],
    elementOps: [],
    otherParams: 0,
    outputElements,
    inputElements,
    movesData: true,
    passThrough: false,
    notCosted: [],
    notes: [],
  };
  if (![outputElements, ...inputElements].every(Number.isFinite)) {
    work.notCosted.push(`shape with an unknown dimension (${JSON.stringify(outputShape)})`);
    return work;
  }
  const kind = workKindOf(layer, precision);
  if (kind === undefined) {
    work.notCosted.push(
      isLowbitLayer(layer)
        ? `lowbitOperation() ${JSON.stringify(layer.lowbitOperation())} has no cost model`
        : `layer type ${className} has no cost model`,
    );
    return work;
  }
  work.kind = kind;
  const channelsFirst = config.dataFormat === 'channelsFirst';
  const input = inputShapes[0] ?? [];
  const chAxis = (s: Shape) => (channelsFirst ? 1 : s.length - 1);
  const useBias = config.useBias !== false;
  const addBias = (count: number, channels: number) => {
    if (!useBias) return;
    work.otherParams += channels;
    work.elementOps.push({ count, what: 'bias adds', on: 'accumulator' });
  };
  const activation = activationName(layer, config);
  const noteActivation = () => {
    if (activation !== undefined && !FREE_ACTIVATIONS.has(activation))
      work.notCosted.push(`activation ${activation} (no cost model; relu and linear are free)`);
  };

  switch (kind) {
    case 'dense': {
      const inDim = input[input.length - 1] as number;
      const units = outputShape[outputShape.length - 1] as number;
      work.macGroups.push({
        label: 'dense',
        macs: outputElements * inDim,
        fanIn: inDim,
        weightParams: inDim * units,
        kernel: true,
      });
      addBias(outputElements, units);
      noteActivation();
      break;
    }
    case 'conv1d':
    case 'conv2d': {
      const rank = kind === 'conv1d' ? 1 : 2;
      const inC = input[chAxis(input)] as number;
      const filters = outputShape[chAxis(outputShape)] as number;
      const k = product(tuple(config.kernelSize, rank));
      work.macGroups.push({
        label: kind,
        macs: outputElements * k * inC,
        fanIn: k * inC,
        weightParams: k * inC * filters,
        kernel: true,
      });
      addBias(outputElements, filters);
      noteActivation();
      break;
    }
    case 'depthwise-conv2d': {
      const inC = input[chAxis(input)] as number;
      const dm = typeof config.depthMultiplier === 'number' ? config.depthMultiplier : 1;
      const k = product(tuple(config.kernelSize, 2));
      work.macGroups.push({
        label: 'depthwise',
        macs: outputElements * k,
        fanIn: k,
        weightParams: k * inC * dm,
        kernel: true,
      });
      addBias(outputElements, inC * dm);
      noteActivation();
      break;
    }
    case 'separable-conv2d': {
      const inC = input[chAxis(input)] as number;
      const filters = outputShape[chAxis(outputShape)] as number;
      const dm = typeof config.depthMultiplier === 'number' ? config.depthMultiplier : 1;
      const k = product(tuple(config.kernelSize, 2));
      const positions = outputElements / filters;
      work.macGroups.push({
        label: 'depthwise',
        macs: positions * inC * dm * k,
        fanIn: k,
        weightParams: k * inC * dm,
        kernel: true,
      });
      work.macGroups.push({
        label: 'pointwise',
        macs: positions * inC * dm * filters,
        fanIn: inC * dm,
        weightParams: inC * dm * filters,
        kernel: true,
      });
      addBias(outputElements, filters);
      noteActivation();
      break;
    }
    case 'conv2d-transpose': {
      const inC = input[chAxis(input)] as number;
      const filters = outputShape[chAxis(outputShape)] as number;
      const k = product(tuple(config.kernelSize, 2));
      const stride = product(tuple(config.strides, 2));
      // Every input element is multiplied into k x filters outputs; each output sums about
      // k * inC / stride^2 products (exact away from the borders).
      work.macGroups.push({
        label: 'conv2d-transpose',
        macs: inputElements[0] * k * filters,
        fanIn: Math.max(1, Math.ceil((k * inC) / stride)),
        weightParams: k * inC * filters,
        kernel: true,
      });
      addBias(outputElements, filters);
      noteActivation();
      break;
    }
    case 'batch-norm': {
      // At inference batch norm is one multiply-add per element with folded per-channel scale and
      // shift; its stored parameters (gamma, beta, moving mean and variance) count at 32 bits.
      work.macGroups.push({ label: 'scale', macs: outputElements, fanIn: 1, weightParams: 0, kernel: false });
      work.otherParams += layer.countParams();
      // Not pass-through: it changes the values, so a quantizer after it cannot move before it.
      break;
    }
    case 'pooling': {
      const global = className.startsWith('Global');
      const perOutput = global
        ? inputElements[0] / outputElements
        : product(tuple(config.poolSize, className.endsWith('1D') ? 1 : 2));
      const what = className.includes('Max') ? 'max compares' : 'average adds';
      work.elementOps.push({ count: outputElements * Math.max(0, perOutput - 1), what, on: 'input' });
      work.passThrough = true;
      break;
    }
    case 'merge': {
      const what = className === 'Multiply' ? 'element products (costed as adds)' : `${className.toLowerCase()} ops`;
      work.elementOps.push({ count: outputElements * Math.max(0, inputShapes.length - 1), what, on: 'input' });
      if (className === 'Multiply') work.notes.push('Multiply costed as adds');
      // Not pass-through: a sum needs more bits than its inputs.
      break;
    }
    case 'activation': {
      work.passThrough = true;
      noteActivation();
      break;
    }
    case 'quantizer': {
      // A lowbit activation that quantizes its output: one compare-and-round per element.
      work.elementOps.push({ count: outputElements, what: 'quantize', on: 'input' });
      noteActivation();
      break;
    }
    case 'view': {
      work.movesData = false;
      work.passThrough = true;
      break;
    }
    case 'data-movement': {
      work.passThrough = true;
      break;
    }
    case 'unknown':
      break;
  }
  return work;
}
