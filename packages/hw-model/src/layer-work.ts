/**
 * What one layer computes per sample, read from its class, config and shapes: groups of
 * multiply-accumulates (with fan-in and the weights they use), element-wise operations
 * (pooling compares, merge adds, bias adds), parameters, and whether it moves data at all.
 *
 * A layer is recognised by its tfjs class name (`Dense`, `Conv2D`, ...) or, for lowbit layers,
 * by a class name that starts with `Lowbit` and ends with one of those names (`LowbitQuantDense`,
 * `LowbitLogConv2D`, `LowbitQuantDepthwiseConv2D`, ...); lowbit layers take tfjs's arguments, so
 * their config has the same geometry fields. Anything else is `unknown` (reported "not costed").
 *
 * ```ts
 * const work = layerWork(denseLayer); // { kind: 'dense', macGroups: [{ macs: 235200, fanIn: 784, ... }], ... }
 * ```
 */
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
  | 'dense' | 'conv1d' | 'conv2d' | 'depthwise-conv2d' | 'separable-conv2d' | 'conv2d-transpose'
  | 'batch-norm' | 'pooling' | 'merge' | 'activation' | 'view' | 'data-movement' | 'quantizer' | 'unknown';

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

const MAC_NAMES: [RegExp, WorkKind][] = [
  [/SeparableConv2D$/, 'separable-conv2d'],
  [/DepthwiseConv2D$/, 'depthwise-conv2d'],
  [/Conv2DTranspose$/, 'conv2d-transpose'],
  [/Conv2D$/, 'conv2d'],
  [/Conv1D$/, 'conv1d'],
  [/Dense$/, 'dense'],
];
const TFJS_MAC = new Set(['Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose']);
const POOLING = new Set([
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
]);
const MERGE_ADDS = new Set(['Add', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Multiply']);
/** Identity at inference, or a change of shape only: no compute, no data movement. */
const VIEWS = new Set([
  'InputLayer', 'Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'Concatenate',
]);
/** Copies data into a new layout: memory traffic, no arithmetic. */
const DATA_MOVEMENT = new Set(['ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Permute', 'RepeatVector']);
/** Activations that cost nothing next to the MACs (a sign test, a clamp). */
const FREE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'Linear', 'Relu', 'Relu6']);

/** What the layer computes for the kind of layer it is; `className` may be the layer's own. */
export function workKindOf(className: string): WorkKind | undefined {
  if (TFJS_MAC.has(className) || className.startsWith('Lowbit')) {
    for (const [pattern, kind] of MAC_NAMES) if (pattern.test(className)) return kind;
  }
  if (className === 'BatchNormalization') return 'batch-norm';
  if (POOLING.has(className)) return 'pooling';
  if (MERGE_ADDS.has(className)) return 'merge';
  if (className === 'Activation' || className === 'ReLU') return 'activation';
  if (VIEWS.has(className)) return 'view';
  if (DATA_MOVEMENT.has(className)) return 'data-movement';
  return undefined;
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
 * `reportsPrecision` marks layers that implement `lowbitPrecision()`: a reporting layer that is
 * not a known weight layer and has no weight operand is costed as an element-wise quantizer when
 * it reports an output precision, and as an identity (view) when it reports nothing.
 */
export function layerWork(
  layer: Layer,
  inputShapes: Shape[],
  outputShape: Shape,
  opts: { reportsPrecision: boolean; hasWeightOperand: boolean; hasOutputOperand?: boolean },
): LayerWork {
  const className = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  const outputElements = product(outputShape.slice(1));
  const inputElements = inputShapes.map((s) => product(s.slice(1)));
  const work: LayerWork = {
    kind: 'unknown', macGroups: [], elementOps: [], otherParams: 0, outputElements, inputElements,
    movesData: true, passThrough: false, notCosted: [], notes: [],
  };
  if (![outputElements, ...inputElements].every(Number.isFinite)) {
    work.notCosted.push(`shape with an unknown dimension (${JSON.stringify(outputShape)})`);
    return work;
  }
  let kind = workKindOf(className);
  // A lowbit layer without weights: it quantizes its output when it reports an output precision,
  // and is an inference-time identity when it reports no operand at all (e.g. an error quantizer
  // that acts only in the backward pass).
  if (kind === undefined && opts.reportsPrecision && !opts.hasWeightOperand) kind = opts.hasOutputOperand ? 'quantizer' : 'view';
  if (kind === undefined) {
    work.notCosted.push(`layer type ${className} has no cost model`);
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
    if (activation !== undefined && !FREE_ACTIVATIONS.has(activation)) work.notCosted.push(`activation ${activation} (no cost model; relu and linear are free)`);
  };

  switch (kind) {
    case 'dense': {
      const inDim = input[input.length - 1] as number;
      const units = outputShape[outputShape.length - 1] as number;
      work.macGroups.push({ label: 'dense', macs: outputElements * inDim, fanIn: inDim, weightParams: inDim * units, kernel: true });
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
      work.macGroups.push({ label: kind, macs: outputElements * k * inC, fanIn: k * inC, weightParams: k * inC * filters, kernel: true });
      addBias(outputElements, filters);
      noteActivation();
      break;
    }
    case 'depthwise-conv2d': {
      const inC = input[chAxis(input)] as number;
      const dm = typeof config.depthMultiplier === 'number' ? config.depthMultiplier : 1;
      const k = product(tuple(config.kernelSize, 2));
      work.macGroups.push({ label: 'depthwise', macs: outputElements * k, fanIn: k, weightParams: k * inC * dm, kernel: true });
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
      work.macGroups.push({ label: 'depthwise', macs: positions * inC * dm * k, fanIn: k, weightParams: k * inC * dm, kernel: true });
      work.macGroups.push({ label: 'pointwise', macs: positions * inC * dm * filters, fanIn: inC * dm, weightParams: inC * dm * filters, kernel: true });
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
      work.macGroups.push({ label: 'conv2d-transpose', macs: inputElements[0] * k * filters, fanIn: Math.max(1, Math.ceil((k * inC) / stride)), weightParams: k * inC * filters, kernel: true });
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
      const perOutput = global ? inputElements[0] / outputElements : product(tuple(config.poolSize, className.endsWith('1D') ? 1 : 2));
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
      // A lowbit layer that quantizes its input (no weights): one compare-and-round per element.
      work.elementOps.push({ count: outputElements, what: 'quantize', on: 'input' });
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
