/**
 * Storage report of a DQA model's activations: for each DQA layer (`dqaActivation`, `applyDqa`),
 * the activations that reach it on some input are really encoded (`encodeWithStats`) and
 * measured: bits per activation stored, bits per shift-error symbol against its entropy, and the
 * total size against float32 and against direct N-bit quantization (the same format with no
 * important channels).
 *
 * ```ts
 * const rows = dqaStorageReport(dqaModel, xTest);
 * console.log(formatStorageReport(rows));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, checkFinite, checkTensor } from '@lowbit/quant-core';
import { encodeWithStats } from './codec.js';
import { dqaParamsOf, isDqaLayer } from './dqa-activation.js';
import { layerChain, runLayers } from './layer-chain.js';

export interface StorageRow {
  layer: string;
  /** Activation shape of the batch that was encoded. */
  shape: number[];
  elements: number;
  channels: number;
  importantChannels: number;
  bits: number;
  extraBits: number;
  /** Encoded bytes x 8 / elements (everything: header, scales, codes, tables, errors, checksum). */
  bitsPerActivation: number;
  /** Error bitstream bits / shift-error symbols (null without important channels). */
  errorBitsPerSymbol: number | null;
  /** Entropy of the shift errors, bits / symbol, at the table granularity used (null without symbols). */
  errorEntropy: number | null;
  encodedBytes: number;
  float32Bytes: number;
  /** Same activations, direct N-bit (no important channels), same format. */
  directBytes: number;
  ratioVsFloat32: number;
  ratioVsDirect: number;
}

/** Encodes the input of every DQA layer of `model` for input `x` and measures it. */
export function dqaStorageReport(model: tfl.LayersModel, x: tf.Tensor): StorageRow[] {
  const { layers } = layerChain(model);
  checkTensor('x', x, { dtype: 'float32', minRank: 2, nonEmpty: true });
  const rows: StorageRow[] = [];
  tf.tidy(() => {
    let h = x;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (isDqaLayer(layer)) {
        const params = dqaParamsOf(layer);
        const { stats } = encodeWithStats(h, params);
        const direct = encodeWithStats(h, { ...params, important: [] }).stats;
        rows.push({
          layer: i > 0 ? layers[i - 1].name : layer.name,
          shape: h.shape,
          elements: stats.elements,
          channels: stats.channels,
          importantChannels: stats.importantChannels,
          bits: params.bits,
          extraBits: params.extraBits,
          bitsPerActivation: (stats.totalBytes * 8) / stats.elements,
          errorBitsPerSymbol: stats.errorSymbols ? stats.errorBits / stats.errorSymbols : null,
          errorEntropy: stats.errorSymbols ? stats.errorEntropyBits / stats.errorSymbols : null,
          encodedBytes: stats.totalBytes,
          float32Bytes: 4 * stats.elements,
          directBytes: direct.totalBytes,
          ratioVsFloat32: stats.totalBytes / (4 * stats.elements),
          ratioVsDirect: stats.totalBytes / direct.totalBytes,
        });
      }
      h = runLayers(layers, h, i, i + 1);
    }
  });
  if (rows.length === 0) throw new LowbitConfigError('model', model.name, 'has no DQA layers (use applyDqa first)');
  return rows;
}

/** Totals over rows (sizes summed, ratios recomputed), as a row named 'total'. */
export function storageTotal(rows: StorageRow[]): StorageRow {
  checkRows(rows);
  const sum = (f: (r: StorageRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const elements = sum((r) => r.elements);
  const encoded = sum((r) => r.encodedBytes);
  const direct = sum((r) => r.directBytes);
  const symbols = sum((r) => (r.errorBitsPerSymbol === null ? 0 : r.elements * (r.importantChannels / r.channels)));
  const errorBits = sum((r) =>
    r.errorBitsPerSymbol === null ? 0 : r.errorBitsPerSymbol * r.elements * (r.importantChannels / r.channels),
  );
  const entropyBits = sum((r) =>
    r.errorEntropy === null ? 0 : r.errorEntropy * r.elements * (r.importantChannels / r.channels),
  );
  return {
    layer: 'total',
    shape: [],
    elements,
    channels: sum((r) => r.channels),
    importantChannels: sum((r) => r.importantChannels),
    bits: rows[0]?.bits ?? 0,
    extraBits: rows[0]?.extraBits ?? 0,
    bitsPerActivation: (encoded * 8) / elements,
    errorBitsPerSymbol: symbols ? errorBits / symbols : null,
    errorEntropy: symbols ? entropyBits / symbols : null,
    encodedBytes: encoded,
    float32Bytes: 4 * elements,
    directBytes: direct,
    ratioVsFloat32: encoded / (4 * elements),
    ratioVsDirect: encoded / direct,
  };
}

const fmt = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

/** A Markdown table of the rows plus their total. */
export function formatStorageReport(rows: StorageRow[]): string {
  checkRows(rows);
  const all = [...rows, storageTotal(rows)];
  const columns = [
    'layer',
    'elements',
    'important / channels',
    'bits / activation',
    'error bits / symbol',
    'error entropy',
    'encoded bytes',
    'vs float32',
    'vs direct N-bit',
  ];
  const head = `| ${columns.join(' | ')} |`;
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = all.map((r) => {
    const cells = [
      r.layer,
      r.elements,
      `${r.importantChannels} / ${r.channels}`,
      fmt(r.bitsPerActivation, 3),
      fmt(r.errorBitsPerSymbol, 3),
      fmt(r.errorEntropy, 3),
      r.encodedBytes,
      fmt(r.ratioVsFloat32, 4),
      fmt(r.ratioVsDirect, 3),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [head, rule, ...body].join('\n');
}

const ROW_COUNTS = [
  'elements',
  'channels',
  'importantChannels',
  'bits',
  'extraBits',
  'encodedBytes',
  'float32Bytes',
  'directBytes',
];

/** Rows as {@link dqaStorageReport} makes them: a non-empty array, counts finite (elements and bytes > 0). */
function checkRows(rows: unknown): asserts rows is StorageRow[] {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new LowbitConfigError('rows', rows, 'expected a non-empty array of storage rows (dqaStorageReport)');
  }
  rows.forEach((r, i) => {
    if (r === null || typeof r !== 'object') throw new LowbitConfigError(`rows[${i}]`, r, 'expected a storage row');
    const row = r as Record<string, unknown>;
    if (typeof row.layer !== 'string') throw new LowbitConfigError(`rows[${i}].layer`, row.layer, 'expected a string');
    for (const key of ROW_COUNTS) {
      const positive = key === 'elements' || key.endsWith('Bytes') || key === 'channels';
      checkFinite(`rows[${i}].${key}`, row[key], positive ? { min: 0, exclusiveMin: true } : { min: 0 });
    }
    for (const key of ['errorBitsPerSymbol', 'errorEntropy']) {
      if (row[key] !== null) checkFinite(`rows[${i}].${key}`, row[key], { min: 0 });
    }
  });
}
