/**
 * `summary(model)`: the hardware cost of a tfjs LayersModel, layer by layer, as built (precision
 * from each lowbit layer's `lowbitPrecision()`, float32 for plain tfjs layers), with totals and
 * the same topology costed in float32 and in int8 for comparison.
 *
 * ```ts
 * import { summary, formatSummary } from '@lowbit/hw-model';
 * const s = summary(model, { batchSize: 1 });
 * console.log(formatSummary(s));
 * s.totals.energyPj;            // pJ for one forward pass of `batchSize` samples
 * s.ratios.vsFloat32.energyPj;  // < 1 when the quantized model is cheaper
 * ```
 *
 * Data-movement assumption (documented in the README): weights (and biases) are read once per
 * forward pass of the batch, from DRAM by default (`weightMemory: 'sram'` reads them from an SRAM
 * sized by the layer's weights); every layer that moves data reads each input tensor once and
 * writes its output tensor once, from an SRAM sized by that tensor (a tensor larger than the
 * table's largest SRAM goes to DRAM). Views (flatten, reshape, dropout, concatenate) move nothing.
 * An activation is stored at the precision of its readers when every reader quantizes it (looking
 * through views, pooling and simple activations; an activation quantizer layer is fused into the
 * write of the tensor it quantizes), at the layer's own output precision when it reports one, and
 * in float32 otherwise. Biases and batch-norm parameters count at 32 bits.
 * Summaries read only shapes, configs and precisions: they create no tensors.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  FLOAT32,
  LowbitConfigError,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  reportsPrecision,
  type ArithmeticCost,
  type LayerPrecision,
  type OperandPrecision,
} from '@lowbit/quant-core';
import { energyTable, validateEnergyTable, type EnergyTable } from './energy-table.js';
import { dramReadEnergyPj, fpAddEnergyPj, intAddEnergyPj, sramReadEnergyPj } from './energy.js';
import {
  checkArithmeticCost,
  checkOperand,
  macEnergy,
  type AccumulatorSpec,
  type MultiplierKind,
} from './mac-energy.js';
import { checkTotals } from './check-args.js';
import { layerWork, type LayerWork, type Shape, type WorkKind } from './layer-work.js';
import { formatOperand } from './operand-name.js';

type Layer = LayersModel['layers'][number];

/** How operand precisions are chosen: as the layers report them, or all float32, or all int8. */
export type PrecisionMode = 'as-built' | 'float32' | 'int8';

export interface SummaryOptions {
  /** Samples per forward pass (default 1): scales MACs, bit-ops, activations and their energy. */
  batchSize?: number;
  /** Technology table (default Horowitz 45 nm). */
  table?: EnergyTable;
  /** Where weights are read from once per forward pass (default 'dram'). */
  weightMemory?: 'dram' | 'sram';
  /** Where activations live (default 'sram', sized by each tensor; DRAM beyond the largest SRAM). */
  activationMemory?: 'sram' | 'dram';
}

export interface LayerEnergy {
  multiplyPj: number;
  accumulatePj: number;
  /** Bias adds, pooling compares, merge adds, quantize steps. */
  elementOpsPj: number;
  computePj: number;
  weightReadPj: number;
  activationReadPj: number;
  activationWritePj: number;
  memoryPj: number;
  totalPj: number;
}

export interface LayerCost {
  name: string;
  className: string;
  kind: WorkKind;
  outputShape: Shape;
  /** False when the layer type has no cost model: every number below is then 0 and must not be read as free. */
  costed: boolean;
  /** Parts not costed and approximations, one sentence each. */
  warnings: string[];
  /** Operands of the multiply-accumulates (absent for layers without MACs). */
  weight?: OperandPrecision;
  /** Input operand of the MACs, or the input quantizer of a lowbit activation layer. */
  input?: OperandPrecision;
  /** Precision of the stored output tensor. */
  output: OperandPrecision;
  /** True when the precision came from the layer's `lowbitPrecision()`. */
  reportsPrecision: boolean;
  /** False for views and for quantizers fused into the previous layer's write: no memory traffic. */
  movesData: boolean;
  multiplier?: MultiplierKind;
  /** The layer's arithmetic when it is not exact (shift, approximate, log-domain accumulation). */
  arithmetic?: ArithmeticCost;
  accumulator?: AccumulatorSpec;
  /** Fan-in of the (first) MAC group. */
  fanIn?: number;
  params: number;
  /** Parameter count per storage width in bits. */
  paramsByBits: Record<number, number>;
  /** Parameter memory in bits. */
  paramBits: number;
  /** Multiply-accumulates for the whole batch. */
  macs: number;
  /** MACs x b_w x b_a, for the whole batch. */
  bitOps: number;
  /** Element-wise operations for the whole batch. */
  elementOps: number;
  /** Output activation memory for the whole batch, bits. */
  activationBits: number;
  energy: LayerEnergy;
}

export interface CostTotals {
  params: number;
  paramsByBits: Record<number, number>;
  paramBits: number;
  macs: number;
  /** MACs per operand pair, keyed `'int4 x uint4'`. */
  macsByPrecision: Record<string, number>;
  bitOps: number;
  elementOps: number;
  /** Sum of the activations written by the layers that move data, bits. */
  activationBits: number;
  /** Largest input + output activations of one layer, bits (the buffer a layer-by-layer engine needs). */
  peakActivationBits: number;
  computePj: number;
  memoryPj: number;
  energyPj: number;
  /** Layers with no cost model. */
  notCosted: number;
}

export interface CostRatios {
  energyPj: number | null;
  computePj: number | null;
  memoryPj: number | null;
  bitOps: number | null;
  paramBits: number | null;
  activationBits: number | null;
}

export interface ModelSummary {
  modelName: string;
  batchSize: number;
  table: { name: string; source: string };
  weightMemory: 'dram' | 'sram';
  activationMemory: 'sram' | 'dram';
  layers: LayerCost[];
  totals: CostTotals;
  /** The same topology with every operand float32 / every operand int8 (32-bit accumulators). */
  references: { float32: CostTotals; int8: CostTotals };
  /** This model divided by the reference (null where the reference is 0). */
  ratios: { vsFloat32: CostRatios; vsInt8: CostRatios };
  warnings: string[];
}

const INT8: Readonly<OperandPrecision> = Object.freeze({ kind: 'int', bits: 8, signed: true });
const SUMMARY_KEYS = ['batchSize', 'table', 'weightMemory', 'activationMemory'] as const;

interface Context {
  mode: PrecisionMode;
  batch: number;
  table: EnergyTable;
  weightMemory: 'dram' | 'sram';
  activationMemory: 'sram' | 'dram';
}

/** One call of a layer in the model's graph (a shared layer has one per call). */
interface GraphNode {
  /** `${layer name}#${tfjs node index}`: also the key of the tensor this call outputs. */
  key: string;
  layer: Layer;
  /** Which call of this layer in the model (0-based) and how many calls there are. */
  call: number;
  calls: number;
  /** Keys of the calls that produce this call's inputs (may name a layer outside model.layers). */
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
}

/** Costs `model` as built and in the float32 and int8 references. */
export function summary(model: LayersModel, options: SummaryOptions = {}): ModelSummary {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel (tf.sequential() or tf.model())');
  }
  if (options === null || typeof options !== 'object')
    throw new LowbitConfigError('options', options, `expected an object with ${SUMMARY_KEYS.join(', ')}`);
  checkKnownKeys('options', options, SUMMARY_KEYS);
  const batch = checkInteger('batchSize', options.batchSize ?? 1, 1, 2 ** 31);
  const table = validateEnergyTable(options.table ?? energyTable);
  const weightMemory = checkOneOf('weightMemory', options.weightMemory ?? 'dram', ['dram', 'sram'] as const);
  const activationMemory = checkOneOf('activationMemory', options.activationMemory ?? 'sram', [
    'sram',
    'dram',
  ] as const);
  const graph = buildGraph(model);
  const base = { batch, table, weightMemory, activationMemory };
  const built = costModel(graph, { ...base, mode: 'as-built' });
  const float32 = costModel(graph, { ...base, mode: 'float32' });
  const int8 = costModel(graph, { ...base, mode: 'int8' });
  const warnings = built.rows.flatMap((r) =>
    r.costed
      ? r.warnings.map((w) => `${r.name}: ${w}`)
      : [`${r.name} (${r.className}): not costed: ${r.warnings.join('; ')}`],
  );
  return {
    modelName: model.name,
    batchSize: batch,
    table: { name: table.name, source: table.source },
    weightMemory,
    activationMemory,
    layers: built.rows,
    totals: built.totals,
    references: { float32: float32.totals, int8: int8.totals },
    ratios: {
      vsFloat32: compareTotals(built.totals, float32.totals),
      vsInt8: compareTotals(built.totals, int8.totals),
    },
    warnings,
  };
}

/**
 * `a / b` for every cost in two totals (null where `b` is 0): compare two models, e.g. a 2x-wide
 * 4-bit net against the float 1x net.
 *
 * ```ts
 * compareTotals(summary(wide4bit).totals, summary(float1x).totals).paramBits; // 0.5
 * ```
 */
export function compareTotals(a: CostTotals, b: CostTotals): CostRatios {
  checkTotals('a', a);
  checkTotals('b', b);
  const r = (x: number, y: number) => (y === 0 ? null : x / y);
  return {
    energyPj: r(a.energyPj, b.energyPj),
    computePj: r(a.computePj, b.computePj),
    memoryPj: r(a.memoryPj, b.memoryPj),
    bitOps: r(a.bitOps, b.bitOps),
    paramBits: r(a.paramBits, b.paramBits),
    activationBits: r(a.activationBits, b.activationBits),
  };
}

interface TfjsNode {
  inboundLayers: Layer[];
  nodeIndices: number[];
  inputShapes: Shape | Shape[];
  outputShapes: Shape | Shape[];
}

const nodesOf = (layer: Layer) => (layer as unknown as { inboundNodes: TfjsNode[] }).inboundNodes ?? [];
const listOfShapes = (s: Shape | Shape[]): Shape[] =>
  Array.isArray(s[0]) || s.length === 0 ? (s as Shape[]) : [s as Shape];

/**
 * Every call of every layer of `model`, in the order of `model.layers` (tfjs keeps it
 * topological). A functional model lists the calls that belong to it (`containerNodes`); a
 * Sequential model calls each layer once.
 */
function buildGraph(model: LayersModel): GraphNode[] {
  const own = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const nodes: GraphNode[] = [];
  for (const layer of model.layers) {
    const all = nodesOf(layer);
    if (all.length === 0)
      throw new LowbitConfigError(
        `model.layers[${layer.name}]`,
        layer.name,
        'expected a layer connected into the model (built model)',
      );
    const indices = own && own.size > 0 ? all.map((_, i) => i).filter((i) => own.has(`${layer.name}_ib-${i}`)) : [0];
    indices.forEach((i, call) => {
      const n = all[i];
      nodes.push({
        key: `${layer.name}#${i}`,
        layer,
        call,
        calls: indices.length,
        inputs: n.inboundLayers.map((l, j) => `${l.name}#${n.nodeIndices[j] ?? 0}`),
        inputShapes: listOfShapes(n.inputShapes),
        outputShape: listOfShapes(n.outputShapes)[0],
      });
    });
  }
  return nodes;
}

/** A model used as a layer inside another model (tf.sequential / tf.model). */
function isModel(layer: Layer): layer is Layer & LayersModel {
  return Array.isArray((layer as unknown as { layers?: unknown }).layers);
}

function layerPrecision(layer: Layer): LayerPrecision | undefined {
  if (!reportsPrecision(layer)) return undefined;
  const p = layer.lowbitPrecision();
  if (p === null || typeof p !== 'object')
    throw new LowbitConfigError(`${layer.name}.lowbitPrecision()`, p, 'expected a LayerPrecision object');
  for (const key of ['weight', 'input', 'output'] as const) {
    if (p[key] !== undefined) checkOperand(`${layer.name}.lowbitPrecision().${key}`, p[key]);
  }
  if (p.accumulatorBits !== undefined)
    checkInteger(`${layer.name}.lowbitPrecision().accumulatorBits`, p.accumulatorBits, 1, 128);
  if (p.arithmetic !== undefined) checkArithmeticCost(`${layer.name}.lowbitPrecision().arithmetic`, p.arithmetic);
  return p;
}

function costModel(graph: GraphNode[], ctx: Context): { rows: LayerCost[]; totals: CostTotals } {
  const byKey = new Map<string, GraphNode>(graph.map((n) => [n.key, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph) for (const k of n.inputs) consumers.set(k, [...(consumers.get(k) ?? []), n]);
  const precisions = new Map<Layer, LayerPrecision | undefined>();
  for (const n of graph)
    if (!precisions.has(n.layer)) precisions.set(n.layer, isModel(n.layer) ? undefined : layerPrecision(n.layer));
  const works = new Map<string, LayerWork>();
  for (const n of graph) {
    if (isModel(n.layer)) {
      // Costed through its own layers below; to its neighbours it is an opaque float tensor.
      works.set(n.key, {
        kind: 'view',
        macGroups: [],
        elementOps: [],
        otherParams: 0,
        outputElements: 0,
        inputElements: [],
        movesData: false,
        passThrough: false,
        notCosted: [],
        notes: [],
      });
      continue;
    }
    works.set(n.key, layerWork(n.layer, n.inputShapes, n.outputShape, precisions.get(n.layer)));
  }
  const stored = new Map<string, OperandPrecision>();

  /** The precision every reader of tensor `key` quantizes it to, or undefined (some reader wants float). */
  const readersPrecision = (key: string, seen: Set<string>): OperandPrecision | undefined => {
    const readers = consumers.get(key) ?? [];
    if (readers.length === 0 || seen.has(key)) return undefined;
    seen.add(key);
    let widest: OperandPrecision | undefined;
    for (const c of readers) {
      const cp = precisions.get(c.layer);
      const cw = works.get(c.key);
      let q: OperandPrecision | undefined;
      if (cp?.input && cp.input.kind !== 'float') q = cp.input;
      // An activation quantizer is fused into the write of the tensor it quantizes.
      else if (cw?.kind === 'quantizer' && cp?.output && cp.output.kind !== 'float') q = cp.output;
      else if (!cp?.input && !cp?.weight && !cp?.output && cw?.passThrough) q = readersPrecision(c.key, seen);
      if (q === undefined) return undefined;
      if (widest === undefined || q.bits > widest.bits) widest = q;
    }
    return widest;
  };

  const storedPrecision = (key: string): OperandPrecision => {
    const known = stored.get(key);
    if (known) return known;
    let result: OperandPrecision;
    if (ctx.mode === 'float32') result = FLOAT32;
    else if (ctx.mode === 'int8') result = INT8;
    else {
      const node = byKey.get(key);
      const own = node ? precisions.get(node.layer)?.output : undefined;
      result = own ?? readersPrecision(key, new Set()) ?? FLOAT32;
      if (!own && result === FLOAT32 && node && works.get(key)?.passThrough && node.inputs.length > 0) {
        result = node.inputs.map(storedPrecision).reduce((a, b) => (b.bits > a.bits ? b : a));
      }
    }
    stored.set(key, result);
    return result;
  };

  const rows: LayerCost[] = [];
  let peakActivationBits = 0;
  for (const node of graph) {
    const { layer } = node;
    if (isModel(layer)) {
      const inner = costModel(buildGraph(layer), ctx);
      for (const r of inner.rows) rows.push({ ...r, name: `${layer.name}/${r.name}` });
      peakActivationBits = Math.max(peakActivationBits, inner.totals.peakActivationBits);
      continue;
    }
    const work = works.get(node.key)!;
    if (work.kind === 'view' && layer.getClassName() === 'InputLayer') continue;
    // A quantizer whose input is already stored at its output precision was fused into the
    // producer's write: it moves no data of its own.
    const fused =
      work.kind === 'quantizer' &&
      node.inputs.length === 1 &&
      samePrecision(storedPrecision(node.inputs[0]), storedPrecision(node.key));
    const row = costLayer(node, work, precisions.get(layer), ctx, storedPrecision, work.movesData && !fused);
    rows.push(row);
    if (row.movesData) {
      const inBits = node.inputs.reduce(
        (s, k, i) => s + (work.inputElements[i] ?? 0) * ctx.batch * storedPrecision(k).bits,
        0,
      );
      peakActivationBits = Math.max(peakActivationBits, inBits + row.activationBits);
    }
  }
  return { rows, totals: totalsOf(rows, peakActivationBits) };
}

function samePrecision(a: OperandPrecision, b: OperandPrecision): boolean {
  return a.kind === b.kind && a.bits === b.bits && a.signed === b.signed;
}

function emptyEnergy(): LayerEnergy {
  return {
    multiplyPj: 0,
    accumulatePj: 0,
    elementOpsPj: 0,
    computePj: 0,
    weightReadPj: 0,
    activationReadPj: 0,
    activationWritePj: 0,
    memoryPj: 0,
    totalPj: 0,
  };
}

function adderPj(p: OperandPrecision | AccumulatorSpec, table: EnergyTable): number {
  if (p.kind === 'float') return fpAddEnergyPj(p.bits, table);
  // A log-domain accumulator is converted to its linear width before the bias is added.
  if (p.kind === 'log') return intAddEnergyPj((p as AccumulatorSpec).linearBits ?? p.bits, table);
  return intAddEnergyPj(p.bits, table);
}

function memoryPj(bits: number, bufferBits: number, place: 'dram' | 'sram', table: EnergyTable): number {
  if (bits === 0) return 0;
  const bytes = Math.ceil(bufferBits / 8);
  if (place === 'dram' || bytes > table.sram[table.sram.length - 1].bytes) return dramReadEnergyPj(bits, table);
  return sramReadEnergyPj(bits, bytes, table);
}

function costLayer(
  node: GraphNode,
  work: LayerWork,
  reported: LayerPrecision | undefined,
  ctx: Context,
  storedPrecision: (key: string) => OperandPrecision,
  movesData: boolean,
): LayerCost {
  const { layer } = node;
  const { batch, table } = ctx;
  const output = storedPrecision(node.key);
  const row: LayerCost = {
    name: node.calls > 1 ? `${layer.name}#${node.call + 1}` : layer.name,
    className: layer.getClassName(),
    kind: work.kind,
    outputShape: node.outputShape,
    costed: work.kind !== 'unknown',
    warnings: [...work.notCosted, ...work.notes],
    output,
    reportsPrecision: reported !== undefined,
    movesData,
    params: 0,
    paramsByBits: {},
    paramBits: 0,
    macs: 0,
    bitOps: 0,
    elementOps: 0,
    activationBits: 0,
    energy: emptyEnergy(),
  };
  if (!row.costed) return row;
  // A shared layer stores (and reads) its weights once: they count on its first call.
  const ownsWeights = node.call === 0;
  if (!ownsWeights)
    row.warnings.push(`call ${node.call + 1} of ${node.calls} of a shared layer: its weights count on call 1`);
  const addParams = (count: number, bits: number) => {
    if (count === 0 || !ownsWeights) return;
    row.params += count;
    row.paramsByBits[bits] = (row.paramsByBits[bits] ?? 0) + count;
    row.paramBits += count * bits;
  };
  const e = row.energy;

  let accumulator: AccumulatorSpec | undefined;
  for (const group of work.macGroups) {
    let weight: OperandPrecision;
    let input: OperandPrecision;
    let accumulatorBits: number | undefined;
    let arithmetic: ArithmeticCost | undefined;
    if (ctx.mode === 'float32') {
      weight = FLOAT32;
      input = FLOAT32;
    } else if (ctx.mode === 'int8') {
      weight = INT8;
      input = INT8;
      accumulatorBits = 32;
    } else {
      weight = reported?.weight ?? FLOAT32;
      input = reported?.input ?? FLOAT32;
      accumulatorBits = reported?.accumulatorBits;
      arithmetic = reported?.arithmetic;
    }
    let mac: ReturnType<typeof macEnergy>;
    try {
      mac = macEnergy(weight, input, { fanIn: group.fanIn, accumulatorBits, arithmetic, table });
    } catch (e) {
      // The arithmetic cannot run on these operands: name the layer.
      if (!(e instanceof LowbitConfigError) || !e.argument.startsWith('arithmetic')) throw e;
      const why = e.message.slice(e.message.indexOf(' is invalid: ') + ' is invalid: '.length);
      throw new LowbitConfigError(`${layer.name}.lowbitPrecision().${e.argument}`, e.value, why);
    }
    const macs = group.macs * batch;
    row.macs += macs;
    row.bitOps += macs * weight.bits * input.bits;
    e.multiplyPj += macs * mac.multiplyPj;
    e.accumulatePj += macs * mac.accumulatePj;
    if (group.kernel) addParams(group.weightParams, weight.bits);
    if (accumulator === undefined) {
      accumulator = mac.accumulator;
      row.weight = weight;
      row.input = input;
      row.multiplier = mac.multiplier;
      row.fanIn = group.fanIn;
      if (arithmetic) row.arithmetic = arithmetic;
    }
  }
  if (accumulator) row.accumulator = accumulator;
  // A lowbit layer without a product (an activation) may still quantize its input.
  if (!row.input && ctx.mode === 'as-built' && reported?.input) row.input = reported.input;
  addParams(work.otherParams, 32);

  const inputPrecisions = node.inputs.map(storedPrecision);
  const widestInput = inputPrecisions.reduce<OperandPrecision>(
    (a, b) => (b.bits > a.bits ? b : a),
    inputPrecisions[0] ?? FLOAT32,
  );
  for (const ops of work.elementOps) {
    const count = ops.count * batch;
    const adder = ops.on === 'accumulator' && accumulator ? accumulator : widestInput;
    row.elementOps += count;
    e.elementOpsPj += count * adderPj(adder, table);
  }

  row.activationBits = work.outputElements * batch * output.bits;
  if (movesData) {
    e.weightReadPj = memoryPj(row.paramBits, row.paramBits, ctx.weightMemory, table);
    node.inputs.forEach((l, i) => {
      const bits = (work.inputElements[i] ?? 0) * batch * inputPrecisions[i].bits;
      e.activationReadPj += memoryPj(bits, bits, ctx.activationMemory, table);
    });
    e.activationWritePj = memoryPj(row.activationBits, row.activationBits, ctx.activationMemory, table);
  }
  e.computePj = e.multiplyPj + e.accumulatePj + e.elementOpsPj;
  e.memoryPj = e.weightReadPj + e.activationReadPj + e.activationWritePj;
  e.totalPj = e.computePj + e.memoryPj;
  return row;
}

function totalsOf(rows: LayerCost[], peakActivationBits: number): CostTotals {
  const t: CostTotals = {
    params: 0,
    paramsByBits: {},
    paramBits: 0,
    macs: 0,
    macsByPrecision: {},
    bitOps: 0,
    elementOps: 0,
    activationBits: 0,
    peakActivationBits,
    computePj: 0,
    memoryPj: 0,
    energyPj: 0,
    notCosted: 0,
  };
  for (const r of rows) {
    if (!r.costed) t.notCosted += 1;
    t.params += r.params;
    for (const [bits, count] of Object.entries(r.paramsByBits))
      t.paramsByBits[Number(bits)] = (t.paramsByBits[Number(bits)] ?? 0) + count;
    t.paramBits += r.paramBits;
    t.macs += r.macs;
    if (r.macs > 0) {
      const key = `${formatOperand(r.weight)} x ${formatOperand(r.input)}`;
      t.macsByPrecision[key] = (t.macsByPrecision[key] ?? 0) + r.macs;
    }
    t.bitOps += r.bitOps;
    t.elementOps += r.elementOps;
    if (r.movesData) t.activationBits += r.activationBits;
    t.computePj += r.energy.computePj;
    t.memoryPj += r.energy.memoryPj;
    t.energyPj += r.energy.totalPj;
  }
  return t;
}
