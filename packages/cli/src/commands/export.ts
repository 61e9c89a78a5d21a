/**
 * `lowbit export <model-dir> --out <file.json>`: what integer hardware would store for every
 * quantized layer, from each layer's `exportQuantized()`: kernel codes, scales, zero points, bit
 * width, signedness, encoding, shape and channel axis, and the float bias.
 *
 * The file (`format: "lowbit-quantized-export"`, `version: 1`):
 *
 * ```json
 * { "format": "lowbit-quantized-export", "version": 1, "model": "sequential_1",
 *   "layers": [{ "name": "fc1", "className": "LowbitQuantDense", "operation": "dense",
 *                "kernel": { "shape": [784, 32], "bits": 4, "signed": true, "encoding": "linear",
 *                            "stepsPerOctave": 1, "axis": 1, "scale": [...], "zeroPoint": [...],
 *                            "codes": [...] },
 *                "bias": [...] }],
 *   "skipped": [{ "name": "out", "className": "Dense", "reason": "float layer (not a lowbit layer)" }] }
 * ```
 *
 * Per channel `c` along `axis` (one entry for the whole tensor when `axis` is null), a linear code
 * stands for `scale[c] * (code - zeroPoint[c])`, a pow2 code for
 * `sign(code) * scale[c] * 2^((|code| - 1) / stepsPerOctave)` (0 for code 0): quant-core's
 * QuantizedTensor. With `--codes lbqt` each kernel's `codes` array is replaced by `lbqt`, the
 * base64 of `QuantizedTensor.toBytes()` (bit-packed, CRC-checked; `QuantizedTensor.fromBytes`
 * reads it back).
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { QuantizedExport, QuantizedTensor } from '@lowbit/quant-core';
import { LowbitError } from '@lowbit/quant-core/errors';
import { CliError, oneLine, type CliIO } from '../io.js';
import { openModel } from '../model-dir.js';
import { startProgress } from '../progress.js';
import type { CodesFormat } from './codes-format.js';

export const EXPORT_FORMAT = 'lowbit-quantized-export';
export const EXPORT_VERSION = 1;

export { CODES_FORMATS, type CodesFormat } from './codes-format.js';

export interface ExportedTensor {
  shape: number[];
  bits: number;
  signed: boolean;
  encoding: 'linear' | 'pow2';
  stepsPerOctave: number;
  /** Channel axis of `scale` / `zeroPoint`, or null for one value for the whole tensor. */
  axis: number | null;
  scale: number[];
  zeroPoint: number[];
  /** Row-major integer codes (`--codes array`, the default). */
  codes?: number[];
  /** Base64 of `QuantizedTensor.toBytes()` (`--codes lbqt`). */
  lbqt?: string;
}

export interface ExportedLayer {
  name: string;
  className: string;
  /** `lowbitOperation()`: 'dense', 'conv2d', 'depthwiseConv2d'. */
  operation: string | null;
  kernel: ExportedTensor;
  /** Float bias, or null when the layer has none. */
  bias: number[] | null;
}

export interface SkippedLayer {
  name: string;
  className: string;
  reason: string;
}

export interface QuantizedModelExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  model: string;
  layers: ExportedLayer[];
  /** Layers with weights that have no integer export. */
  skipped: SkippedLayer[];
}

interface ExportingLayer {
  exportQuantized(): QuantizedExport;
  lowbitOperation?(): string;
}

type Layer = tfl.LayersModel['layers'][number];

/** Every layer of `model`, nested models' layers in their place. */
export function flatLayers(model: { layers: Layer[] }): Layer[] {
  return model.layers.flatMap((l) =>
    Array.isArray((l as unknown as { layers?: unknown }).layers) ? flatLayers(l as unknown as tfl.LayersModel) : [l],
  );
}

/** The JSON form of a QuantizedTensor. */
export function exportTensor(q: QuantizedTensor, codes: CodesFormat = 'array'): ExportedTensor {
  const out: ExportedTensor = {
    shape: [...q.shape],
    bits: q.bits,
    signed: q.signed,
    encoding: q.encoding,
    stepsPerOctave: q.stepsPerOctave,
    axis: q.axis ?? null,
    scale: Array.from(q.scale),
    zeroPoint: Array.from(q.zeroPoint),
  };
  if (codes === 'lbqt') out.lbqt = Buffer.from(q.toBytes()).toString('base64');
  else out.codes = Array.from(q.codes);
  return out;
}

const hasExport = (l: Layer): l is Layer & ExportingLayer =>
  typeof (l as unknown as Partial<ExportingLayer>).exportQuantized === 'function';

/**
 * The export document of `model`; `onLayer` is called after each layer that has weights or an
 * export (for progress).
 */
export function exportModel(
  model: tfl.LayersModel,
  options: { codes?: CodesFormat; onLayer?: (name: string) => void } = {},
): QuantizedModelExport {
  const doc: QuantizedModelExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    model: model.name,
    layers: [],
    skipped: [],
  };
  for (const layer of exportCandidates(model)) {
    const className = layer.getClassName();
    if (!hasExport(layer)) {
      doc.skipped.push({ name: layer.name, className, reason: 'float layer (not a lowbit layer)' });
    } else if ((layer as unknown as { kernelQuantizer?: unknown }).kernelQuantizer === null) {
      doc.skipped.push({ name: layer.name, className, reason: 'no kernelQuantizer (float kernel)' });
    } else {
      let q: QuantizedExport;
      try {
        q = layer.exportQuantized();
      } catch (e) {
        if (!(e instanceof LowbitError)) throw e;
        doc.skipped.push({ name: layer.name, className, reason: oneLine(e.message) });
        options.onLayer?.(layer.name);
        continue;
      }
      doc.layers.push({
        name: layer.name,
        className,
        operation: typeof layer.lowbitOperation === 'function' ? layer.lowbitOperation() : null,
        kernel: exportTensor(q.kernel, options.codes),
        bias: q.bias ? Array.from(q.bias) : null,
      });
    }
    options.onLayer?.(layer.name);
  }
  return doc;
}

/** Layers that hold weights or offer an integer export. */
function exportCandidates(model: tfl.LayersModel): Layer[] {
  return flatLayers(model).filter((l) => hasExport(l) || l.weights.length > 0);
}

export interface ExportCommandOptions {
  out: string;
  codes?: CodesFormat;
}

export async function exportCommand(modelDir: string, options: ExportCommandOptions, io: CliIO): Promise<void> {
  const outPath = resolve(io.cwd, options.out);
  const existing = await stat(outPath).catch(() => undefined);
  if (existing?.isDirectory())
    throw new CliError('--out', options.out, 'is a directory; expected the path of a .json file to write');
  const model = await openModel(modelDir, io);
  let doc: QuantizedModelExport;
  try {
    const progress = startProgress(io, 'export', exportCandidates(model).length);
    try {
      doc = exportModel(model, { codes: options.codes, onLayer: (name) => progress.step(name) });
    } finally {
      progress.stop();
    }
  } finally {
    model.dispose();
  }
  await mkdir(dirname(outPath), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new CliError('--out', options.out, `its directory cannot be created (${e.code ?? e.message})`);
  });
  // Written under a temporary name and renamed: an interrupted export never leaves half a file.
  await writeFile(`${outPath}.tmp`, `${JSON.stringify(doc)}\n`).catch((e: NodeJS.ErrnoException) => {
    throw new CliError('--out', options.out, `cannot be written (${e.code ?? e.message})`);
  });
  await rename(`${outPath}.tmp`, outPath);
  const codes = doc.layers.reduce((n, l) => n + l.kernel.shape.reduce((a, b) => a * b, 1), 0);
  const layers = `${doc.layers.length} quantized layer${doc.layers.length === 1 ? '' : 's'}`;
  io.out(`wrote ${options.out}: ${layers}, ${codes.toLocaleString('en-US')} codes\n`);
  for (const s of doc.skipped) io.out(`  skipped ${s.name} (${s.className}): ${s.reason}\n`);
  if (doc.layers.length === 0)
    io.err('warning: no layer of this model has a kernel quantizer; the export holds no layers\n');
}
