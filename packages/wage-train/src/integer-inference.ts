/**
 * Integer export and integer-only inference of a WAGE network.
 *
 * `exportWageNetwork(model)` walks a sequential WAGE model and keeps what hardware stores: the
 * k_W-bit weight codes of each layer (a {@link QuantizedTensor} whose scale is the power of two
 * `sigma(k_W) / alpha`), the bit width of each activation and the layer geometry.
 * `runWageInteger(net, codes, batch)` then runs the network on integer codes only, in Int32
 * arithmetic: products and sums of codes (integer accumulators), requantization by a rounding
 * shift (`round(acc * 2^d)`, half to even as tfjs rounds), clip, ReLU as max with 0, max pooling
 * on codes. Every tensor it handles is `code * 2^exponent`, so it reproduces the float-simulated
 * network (`model.predict`) value for value: sums of integers times powers of two are exact in
 * float32 while they stay below 2^24 in units of the product scale (checked when exporting).
 *
 * Supported layers: `wageActivation` (the first layer must be the input quantizer, `relu: false`),
 * `wageConv2d`, `wageDense`, `wageErrorQuantizer`, tfjs `maxPooling2d` and `flatten`
 * (channels-last, valid or same padding). WAGE layers are recognised by their parts (WAGE's kernel
 * quantizer on a quantDense / quantConv2d with no bias, linear activation, exact arithmetic and
 * no output quantizer; WAGE's activation part on a quantActivation). Anything else throws a
 * LowbitConfigError naming it.
 *
 * ```ts
 * const net = exportWageNetwork(model);
 * const codes = wageInputCodes(net, images);           // the input Q_A as integers (the boundary)
 * const out = runWageInteger(net, codes, images.shape[0]);
 * out.values; out.exponent;                            // logits = values * 2^exponent
 * out.predictions;                                     // argmax per example
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkObject,
  checkOneOf,
  checkShape,
  checkTensor,
  LowbitConfigError,
  LowbitDataError,
  LowbitExactArithmetic,
  LowbitQuantConv2D,
  QuantizedTensor,
  wageClip,
  wageSigma,
} from '@lowbit/quant-core';
import { isWageActivation, isWageErrorQuantizer } from './activation.js';
import { checkWageBits, maxWageCode } from './bits.js';
import { checkNoNaN } from './finite.js';
import { isWageLayer, type WageLayer } from './wage-layers.js';

type Padding = 'valid' | 'same';

export type WageIntegerStep =
  | {
      kind: 'conv2d';
      name: string;
      kernel: QuantizedTensor;
      strides: [number, number];
      padding: Padding;
      dilation: [number, number];
    }
  | { kind: 'dense'; name: string; kernel: QuantizedTensor }
  | { kind: 'activation'; name: string; relu: boolean; bits: number }
  | { kind: 'maxPool'; name: string; poolSize: [number, number]; strides: [number, number]; padding: Padding }
  | { kind: 'flatten'; name: string };

export interface WageIntegerNetwork {
  /** Shape of one example, e.g. [28, 28, 1]. */
  inputShape: number[];
  /** Bit width of the input codes (the first layer's k_A). */
  inputBits: number;
  steps: WageIntegerStep[];
}

export interface WageIntegerResult {
  /** Output codes (accumulators of the last layer when it is a weight layer), [batch, ...shape]. */
  values: Int32Array;
  shape: number[];
  /** Output value = code * 2^exponent. */
  exponent: number;
  /** Argmax over the last axis per example (first maximum wins, as tf.argMax). */
  predictions: Int32Array;
}

/** log2 of a power-of-two scale; throws for anything else. */
function exponentOf(scale: number, what: string): number {
  const e = Math.log2(scale);
  if (!Number.isInteger(e)) throw new LowbitDataError(what, `scale ${scale} is not a power of two`);
  return e;
}

/** Exports the integer network of a sequential WAGE model (built, trained or not). */
export function exportWageNetwork(model: tfl.LayersModel): WageIntegerNetwork {
  const layers = model !== null && typeof model === 'object' ? (model as { layers?: unknown }).layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new LowbitConfigError('model', model, 'expected a built tfjs LayersModel with layers');
  const first = layers[0];
  if (!isWageActivation(first) || first.activation !== 'linear') {
    throw new LowbitConfigError(
      'model.layers[0]',
      first?.getClassName?.(),
      'expected a wageActivation({ relu: false }) input quantizer as the first layer',
    );
  }
  const batchInputShape = first.batchInputShape ?? model.inputs?.[0]?.shape;
  if (!Array.isArray(batchInputShape))
    throw new LowbitConfigError('model', model.name, 'expected a built model (give the first layer an inputShape)');
  const inputShape = batchInputShape.slice(1) as number[];
  if (!inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new LowbitConfigError('model input shape', inputShape, 'expected fixed positive sizes');
  const steps: WageIntegerStep[] = [];
  for (const layer of layers.slice(1) as tfl.layers.Layer[]) {
    const cls = layer.getClassName();
    if (isWageLayer(layer)) {
      checkWeightLayer(layer);
      const kernel = layer.exportQuantized().kernel;
      if (layer instanceof LowbitQuantConv2D) {
        if (layer.dataFormat !== 'channelsLast') {
          throw new LowbitConfigError(
            `${layer.name}.dataFormat`,
            layer.dataFormat,
            "integer inference supports 'channelsLast'",
          );
        }
        const { strides, padding, dilationRate: dilation } = layer;
        steps.push({ kind: 'conv2d', name: layer.name, kernel, strides, padding, dilation });
      } else {
        steps.push({ kind: 'dense', name: layer.name, kernel });
      }
    } else if (isWageActivation(layer)) {
      const q = layer.outputQuantizer;
      steps.push({ kind: 'activation', name: layer.name, relu: layer.activation === 'relu', bits: q.bits! });
    } else if (isWageErrorQuantizer(layer)) {
      // Identity in the forward pass: nothing to run.
    } else if (cls === 'MaxPooling2D') {
      const c = layer.getConfig() as {
        poolSize: [number, number];
        strides: [number, number];
        padding: Padding;
        dataFormat: string;
      };
      if (c.dataFormat !== 'channelsLast')
        throw new LowbitConfigError(
          `${layer.name}.dataFormat`,
          c.dataFormat,
          "integer inference supports 'channelsLast'",
        );
      steps.push({ kind: 'maxPool', name: layer.name, poolSize: c.poolSize, strides: c.strides, padding: c.padding });
    } else if (cls === 'Flatten') {
      steps.push({ kind: 'flatten', name: layer.name });
    } else {
      throw new LowbitConfigError(
        `layer ${layer.name}`,
        cls,
        'integer inference supports wageActivation, wageConv2d, wageDense, wageErrorQuantizer, ' +
          'MaxPooling2D and Flatten',
      );
    }
  }
  const net = { inputShape, inputBits: first.outputQuantizer.bits!, steps };
  checkAccumulators(net);
  return net;
}

/** A WAGE weight layer the integer loops can run: no bias, linear, exact products, no output part. */
function checkWeightLayer(layer: WageLayer): void {
  const why = layer.useBias
    ? 'has a bias'
    : layer.getConfig().activation !== 'linear'
      ? 'has a non-linear activation'
      : !(layer.arithmetic instanceof LowbitExactArithmetic)
        ? `has the ${layer.arithmetic.getClassName()} arithmetic`
        : layer.outputQuantizer !== null
          ? 'has an output quantizer'
          : null;
  if (why !== null) {
    throw new LowbitConfigError(
      `layer ${layer.name}`,
      layer.getClassName(),
      `${why}; integer inference runs wageDense / wageConv2d layers (no bias, linear, exact arithmetic)`,
    );
  }
}

const PADDINGS: readonly string[] = ['valid', 'same'];
const NETWORK_KEYS = ['inputShape', 'inputBits', 'steps'];

/** A pair of positive integers (strides, dilation, pool size), at most 2^16 each. */
function checkPair(argument: string, value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2)
    throw new LowbitConfigError(argument, value, 'expected [rows, cols]');
  value.forEach((v, i) => checkInteger(`${argument}[${i}]`, v, 1, 2 ** 16));
}

function checkKernel(argument: string, kernel: unknown, rank: number): void {
  if (!(kernel instanceof QuantizedTensor) || kernel.shape.length !== rank || kernel.encoding !== 'linear')
    throw new LowbitConfigError(argument, kernel, `expected a linear QuantizedTensor of rank ${rank}`);
  if (kernel.scale.length !== 1 || kernel.zeroPoint.some((z) => z !== 0))
    throw new LowbitConfigError(`${argument}.scale`, kernel.scale, 'expected one scale (per tensor) and no zero point');
  checkWageBits(`${argument}.bits`, kernel.bits);
}

/**
 * The checks a network gets before {@link wageInputCodes} or {@link runWageInteger} reads it (it
 * may be built by hand or edited after {@link exportWageNetwork}): its keys, the input shape and
 * bits, every step's fields, and the accumulator bound.
 */
function checkNetwork(net: unknown): WageIntegerNetwork {
  const n = checkObject<WageIntegerNetwork>('net', net, 'a network from exportWageNetwork');
  checkKnownKeys('net', n, NETWORK_KEYS);
  const { inputShape, steps } = n;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new LowbitConfigError('net.inputShape', inputShape, 'expected the shape of one example (positive integers)');
  checkShape('net.inputShape', inputShape);
  checkWageBits('net.inputBits', n.inputBits);
  if (!Array.isArray(steps)) throw new LowbitConfigError('net.steps', steps, 'expected an array of steps');
  steps.forEach((step: unknown, i) => {
    const where = `net.steps[${i}]`;
    const st = checkObject<Record<string, unknown>>(where, step, 'a step { kind, name, ... }');
    if (typeof st.name !== 'string') throw new LowbitConfigError(`${where}.name`, st.name, 'expected a string');
    switch (st.kind) {
      case 'conv2d':
        checkKernel(`${where}.kernel`, st.kernel, 4);
        checkPair(`${where}.strides`, st.strides);
        checkPair(`${where}.dilation`, st.dilation);
        checkOneOf(`${where}.padding`, st.padding, PADDINGS);
        break;
      case 'dense':
        checkKernel(`${where}.kernel`, st.kernel, 2);
        break;
      case 'activation':
        checkBoolean(`${where}.relu`, st.relu);
        checkWageBits(`${where}.bits`, st.bits);
        break;
      case 'maxPool':
        checkPair(`${where}.poolSize`, st.poolSize);
        checkPair(`${where}.strides`, st.strides);
        checkOneOf(`${where}.padding`, st.padding, PADDINGS);
        break;
      case 'flatten':
        break;
      default:
        throw new LowbitConfigError(
          `${where}.kind`,
          st.kind,
          "expected 'conv2d', 'dense', 'activation', 'maxPool' or 'flatten'",
        );
    }
  });
  checkAccumulators(n);
  return n;
}

/**
 * The input quantizer Q_A as integer codes: `round(C(x, k_A) / sigma(k_A))`, as the model computes
 * it. NaN in `x` throws a LowbitDataError (it has no code); +-Infinity clips to the largest code.
 */
export function wageInputCodes(net: WageIntegerNetwork, x: tf.Tensor): Int32Array {
  checkNetwork(net);
  checkTensor('x', x, { dtype: 'float32' });
  const want = net.inputShape.join(',');
  if (x.shape.slice(1).join(',') !== want) throw new LowbitConfigError('x.shape', x.shape, `expected [batch, ${want}]`);
  checkNoNaN('x', x, ', which has no input code');
  return tf.tidy(
    () =>
      tf.cast(tf.round(tf.div(wageClip(x, net.inputBits), wageSigma(net.inputBits))), 'int32').dataSync() as Int32Array,
  );
}

interface Activations {
  codes: Int32Array;
  /** Per-example shape. */
  shape: number[];
  exponent: number;
}

/** Runs the integer network on `batch` examples of input codes (flattened, channels-last). */
export function runWageInteger(net: WageIntegerNetwork, inputCodes: Int32Array, batch: number): WageIntegerResult {
  checkNetwork(net);
  if (!(inputCodes instanceof Int32Array))
    throw new LowbitConfigError('inputCodes', inputCodes, 'expected an Int32Array');
  if (!Number.isInteger(batch) || batch < 1) throw new LowbitConfigError('batch', batch, 'expected an integer >= 1');
  const perExample = net.inputShape.reduce((a, b) => a * b, 1);
  if (inputCodes.length !== batch * perExample)
    throw new LowbitConfigError(
      'inputCodes.length',
      inputCodes.length,
      `expected batch * ${perExample} = ${batch * perExample}`,
    );
  const top = maxWageCode(net.inputBits);
  for (let i = 0; i < inputCodes.length; i++) {
    if (inputCodes[i] < -top || inputCodes[i] > top)
      throw new LowbitDataError('inputCodes', `code ${inputCodes[i]} at ${i} is outside [-${top}, ${top}]`);
  }
  let a: Activations = { codes: inputCodes, shape: [...net.inputShape], exponent: 1 - net.inputBits };
  for (const step of net.steps) a = runStep(step, a, batch);
  const classes = a.shape[a.shape.length - 1];
  const predictions = new Int32Array(batch * (a.codes.length / batch / classes));
  for (let r = 0; r < predictions.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (a.codes[r * classes + c] > a.codes[r * classes + best]) best = c;
    predictions[r] = best;
  }
  return { values: a.codes, shape: [batch, ...a.shape], exponent: a.exponent, predictions };
}

function runStep(step: WageIntegerStep, a: Activations, batch: number): Activations {
  switch (step.kind) {
    case 'conv2d':
      return conv2d(step, a, batch);
    case 'dense':
      return dense(step, a, batch);
    case 'activation':
      return requantize(step, a);
    case 'maxPool':
      return maxPool(step, a, batch);
    case 'flatten':
      return { ...a, shape: [a.shape.reduce((x, y) => x * y, 1)] };
  }
}

/**
 * Rounds `v * 2^-s` half to even, in Int32 arithmetic: `v` an int32, `s` from 1 to 31.
 *
 * ```ts
 * roundingShiftRight(6, 2);  // 2 (1.5 rounds to even)
 * roundingShiftRight(-5, 1); // -2
 * ```
 */
export function roundingShiftRight(v: number, s: number): number {
  checkInteger('v', v, -(2 ** 31), 2 ** 31 - 1);
  checkInteger('s', s, 1, 31);
  return shiftRound(v, s);
}

/** {@link roundingShiftRight} without the checks (the integer loops call it per element). */
function shiftRound(v: number, s: number): number {
  const q = v >> s; // floor division for negatives too
  const r = v - (q << s);
  const half = 1 << (s - 1);
  return r > half || (r === half && (q & 1) === 1) ? q + 1 : q;
}

function requantize(step: Extract<WageIntegerStep, { kind: 'activation' }>, a: Activations): Activations {
  const top = maxWageCode(step.bits);
  const lo = step.relu ? 0 : -top;
  const target = 1 - step.bits;
  const d = a.exponent - target; // code_out = round(code_in * 2^d)
  const out = new Int32Array(a.codes.length);
  for (let i = 0; i < out.length; i++) {
    let v = a.codes[i];
    if (d >= 0) {
      // |v * 2^d| >= |v|: clamp first so the shift cannot overflow.
      v = Math.max(-top, Math.min(top, v));
      v = v * (1 << d);
    } else {
      // |v| < 2^24 (checkAccumulators), so a shift by 25 or more rounds to 0; JS shifts count mod 32.
      v = -d > 24 ? 0 : shiftRound(v, -d);
    }
    out[i] = v < lo ? lo : v > top ? top : v;
  }
  return { codes: out, shape: a.shape, exponent: target };
}

function dense(step: Extract<WageIntegerStep, { kind: 'dense' }>, a: Activations, batch: number): Activations {
  const [inDim, units] = step.kernel.shape;
  if (a.shape.length !== 1 || a.shape[0] !== inDim)
    throw new LowbitConfigError(`${step.name} input shape`, a.shape, `expected [${inDim}] (flatten first)`);
  const w = step.kernel.codes;
  const out = new Int32Array(batch * units);
  for (let b = 0; b < batch; b++) {
    const acc = new Int32Array(units);
    for (let k = 0; k < inDim; k++) {
      const x = a.codes[b * inDim + k];
      if (x === 0) continue;
      const row = k * units;
      for (let u = 0; u < units; u++) acc[u] += x * w[row + u];
    }
    out.set(acc, b * units);
  }
  return { codes: out, shape: [units], exponent: a.exponent + exponentOf(step.kernel.scale[0], step.name) };
}

function outputSize(
  size: number,
  k: number,
  stride: number,
  dilation: number,
  padding: Padding,
): { out: number; before: number } {
  const span = (k - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.ceil((size - span + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, before: Math.floor(total / 2) };
}

function conv2d(step: Extract<WageIntegerStep, { kind: 'conv2d' }>, a: Activations, batch: number): Activations {
  const [kh, kw, cin, cout] = step.kernel.shape;
  const [h, wd, c] = a.shape;
  if (a.shape.length !== 3 || c !== cin)
    throw new LowbitConfigError(`${step.name} input shape`, a.shape, `expected [rows, cols, ${cin}]`);
  const rows = outputSize(h, kh, step.strides[0], step.dilation[0], step.padding);
  const cols = outputSize(wd, kw, step.strides[1], step.dilation[1], step.padding);
  if (rows.out < 1 || cols.out < 1)
    throw new LowbitConfigError(`${step.name} input shape`, a.shape, `is smaller than the kernel [${kh}, ${kw}]`);
  // Locals, not property reads, inside the loops: V8 keeps them in registers.
  const [sy, sx] = step.strides;
  const [dy, dx] = step.dilation;
  const outRows = rows.out;
  const outCols = cols.out;
  const padTop = rows.before;
  const padLeft = cols.before;
  const w = step.kernel.codes;
  const input = a.codes;
  const out = new Int32Array(batch * outRows * outCols * cout);
  const acc = new Int32Array(cout);
  for (let b = 0; b < batch; b++) {
    const inBase = b * h * wd * c;
    for (let oy = 0; oy < outRows; oy++) {
      for (let ox = 0; ox < outCols; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sy + ky * dy - padTop;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sx + kx * dx - padLeft;
            if (ix < 0 || ix >= wd) continue;
            const px = inBase + (iy * wd + ix) * c;
            let wRow = (ky * kw + kx) * cin * cout;
            for (let ci = 0; ci < cin; ci++, wRow += cout) {
              const x = input[px + ci];
              if (x === 0) continue;
              for (let co = 0; co < cout; co++) acc[co] += x * w[wRow + co];
            }
          }
        }
        out.set(acc, ((b * outRows + oy) * outCols + ox) * cout);
      }
    }
  }
  return {
    codes: out,
    shape: [outRows, outCols, cout],
    exponent: a.exponent + exponentOf(step.kernel.scale[0], step.name),
  };
}

function maxPool(step: Extract<WageIntegerStep, { kind: 'maxPool' }>, a: Activations, batch: number): Activations {
  const [h, wd, c] = a.shape;
  if (a.shape.length !== 3)
    throw new LowbitConfigError(`${step.name} input shape`, a.shape, 'expected [rows, cols, channels]');
  if (step.poolSize[0] > h || step.poolSize[1] > wd)
    throw new LowbitConfigError(
      `${step.name}.poolSize`,
      step.poolSize,
      `expected at most the input size [${h}, ${wd}]`,
    );
  const rows = outputSize(h, step.poolSize[0], step.strides[0], 1, step.padding);
  const cols = outputSize(wd, step.poolSize[1], step.strides[1], 1, step.padding);
  const out = new Int32Array(batch * rows.out * cols.out * c);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          for (let py = 0; py < step.poolSize[0]; py++) {
            const iy = oy * step.strides[0] + py - rows.before;
            if (iy < 0 || iy >= h) continue;
            for (let px = 0; px < step.poolSize[1]; px++) {
              const ix = ox * step.strides[1] + px - cols.before;
              if (ix < 0 || ix >= wd) continue;
              const v = a.codes[((b * h + iy) * wd + ix) * c + ch];
              if (v > best) best = v;
            }
          }
          out[((b * rows.out + oy) * cols.out + ox) * c + ch] = best;
        }
      }
    }
  }
  return { codes: out, shape: [rows.out, cols.out, c], exponent: a.exponent };
}

/**
 * Static check that no accumulator can leave Int32, nor exceed 2^24 (beyond which the float32
 * reference would round and the two paths would no longer agree).
 */
function checkAccumulators(net: WageIntegerNetwork): void {
  let bound = maxWageCode(net.inputBits);
  for (const step of net.steps) {
    if (step.kind === 'conv2d' || step.kind === 'dense') {
      const fanIn = step.kernel.shape.slice(0, -1).reduce((x, y) => x * y, 1);
      const top = 2 ** (step.kernel.bits - 1) - 1;
      const worst = bound * top * fanIn;
      if (worst >= 2 ** 24)
        throw new LowbitConfigError(
          `${step.name} accumulator`,
          worst,
          'worst-case |sum| must stay below 2^24 (exact in float32 and Int32); use fewer bits',
        );
      bound = worst;
    } else if (step.kind === 'activation') {
      bound = maxWageCode(step.bits);
    }
  }
}
