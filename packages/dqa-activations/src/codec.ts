/**
 * The encoded DQA activation format: what a device would store or send for one activation tensor.
 * `encode` quantizes a float tensor with the layer's {@link DqaParams} and returns bytes; `decode`
 * restores the dequantized tensor, equal bit for bit to the layer's fake-quantized output.
 *
 * Layout (version 1; integers little-endian; channels are the last axis, C = last dim):
 *
 * | bytes                     | content                                                         |
 * |---------------------------|-----------------------------------------------------------------|
 * | 4                         | magic `LBDQ`                                                    |
 * | 1, 1, 1, 1                | version (1), N (bits), m (extraBits), granularity (0 layer, 1 channel) |
 * | 1, 3                      | rank (1..8), three zero bytes                                   |
 * | 4 x rank                  | dims (u32)                                                      |
 * | 4 x C                     | `delta_N` per channel (float32)                                 |
 * | 4, 4 x K                  | K = number of important channels (u32), their indices, increasing |
 * | ceil(size x N / 8)        | every element's N-bit code, two's complement, `packSignedBits`  |
 * | T x ceil(2^m x 4 / 8)     | T Huffman tables (1 per layer if K > 0, or K per channel): 4-bit code lengths of the 2^m symbols, `packBits` |
 * | 4, ceil(B / 8)            | B = error bitstream length in bits (u32), then the shift errors of important-channel elements in flat order, each a canonical Huffman code (most significant bit first, bytes filled from bit 0) |
 * | 4                         | CRC-32 of every byte before it                                  |
 *
 * Decoding checks the length of every section before reading it, the checksum, and every field's
 * range, and throws {@link LowbitDataError} naming the problem: never a hang or an out-of-bounds read.
 *
 * ```ts
 * const layerParams = dqaLayer.dqaParams();
 * const bytes = encode(activations, layerParams);      // Uint8Array
 * const restored = decode(bytes);                      // tf.Tensor, == dqaLayer.apply(activations)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, crc32, packBits, packSignedBits, unpackBits, unpackSignedBits } from '@lowbit/quant-core';
import { BitReader, BitWriter } from './bit-stream.js';
import { checkDqaParams, type CheckedDqaParams, type DqaParams, MAX_BITS, MAX_EXTRA_BITS, MIN_BITS, MIN_EXTRA_BITS } from './dqa-params.js';
import { dqaQuantizeValues } from './dqa-quantize.js';
import { HuffmanTable, entropyBits, huffmanCodeLengths } from './huffman.js';

export const DQA_MAGIC = Uint8Array.of(0x4c, 0x42, 0x44, 0x51); // "LBDQ"
export const DQA_FORMAT_VERSION = 1;
const MAX_RANK = 8;
const SOURCE = 'DQA activation decode';

/** Plain activations: flat channels-last values with their shape. */
export interface ActivationValues {
  values: ArrayLike<number>;
  shape: number[];
}

/** Sizes (bytes, bits) of one encoded tensor, section by section. */
export interface EncodeStats {
  elements: number;
  channels: number;
  importantChannels: number;
  headerBytes: number;
  scaleBytes: number;
  codeBytes: number;
  tableBytes: number;
  errorStreamBytes: number;
  totalBytes: number;
  /** Shift-error symbols coded (elements of important channels). */
  errorSymbols: number;
  /** Bits of the error bitstream. */
  errorBits: number;
  /** Sum over tables of (symbols x entropy of that table's symbol distribution), in bits. */
  errorEntropyBits: number;
}

export interface EncodeResult {
  bytes: Uint8Array;
  stats: EncodeStats;
}

/** Decoded activations and the parameters stored with them. */
export interface DecodedActivations {
  shape: number[];
  values: Float32Array;
  params: CheckedDqaParams;
}

function tableByteLength(m: number): number {
  return Math.ceil((2 ** m * 4) / 8);
}

function readInput(activations: tf.Tensor | ActivationValues): ActivationValues {
  if (activations instanceof tf.Tensor) {
    if (activations.dtype !== 'float32') {
      throw new LowbitConfigError('activations', activations, `expected a float32 tensor, got ${activations.dtype}`);
    }
    return { values: activations.dataSync() as Float32Array, shape: activations.shape };
  }
  if (activations === null || typeof activations !== 'object' || !Array.isArray(activations.shape) || typeof activations.values?.length !== 'number') {
    throw new LowbitConfigError('activations', activations, 'expected a tf.Tensor or { values, shape }');
  }
  return activations;
}

/** Encodes activations (channels last) with DQA; see the module docs for the byte layout. */
export function encode(activations: tf.Tensor | ActivationValues, dqaParams: DqaParams): Uint8Array {
  return encodeWithStats(activations, dqaParams).bytes;
}

/** {@link encode}, plus the size of each section and the entropy of the shift errors. */
export function encodeWithStats(activations: tf.Tensor | ActivationValues, dqaParams: DqaParams): EncodeResult {
  const p = checkDqaParams(dqaParams);
  const { values, shape } = readInput(activations);
  if (shape.length < 1 || shape.length > MAX_RANK) {
    throw new LowbitConfigError('activations', activations, `expected rank 1 to ${MAX_RANK} (channels last), got rank ${shape.length}`);
  }
  if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) {
    throw new LowbitConfigError('activations.shape', shape, 'expected non-negative integer dims');
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new LowbitConfigError('activations.values.length', values.length, `expected ${size} (shape [${shape}])`);
  if (shape[shape.length - 1] !== p.channels) {
    throw new LowbitConfigError('activations', activations, `expected a last axis of ${p.channels} channels (one per scale), got ${shape[shape.length - 1]}`);
  }
  const quantized = dqaQuantizeValues(values, p);
  const m = p.extraBits;
  const symbols = 2 ** m;
  const K = p.important.length;
  const perChannel = p.tableGranularity === 'channel';
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  // Table index of each channel (-1: not important).
  const tableOf = new Int32Array(p.channels).fill(-1);
  p.important.forEach((c, i) => (tableOf[c] = perChannel ? i : 0));
  const counts = Array.from({ length: tableCount }, () => new Array<number>(symbols).fill(0));
  for (let e = 0; e < quantized.errors.length; e++) counts[tableOf[quantized.errorChannels[e]]][quantized.errors[e]]++;
  const tables = counts.map((c) => new HuffmanTable(huffmanCodeLengths(c)));
  const writer = new BitWriter(Math.ceil(quantized.errors.length * m / 8) + 8);
  for (let e = 0; e < quantized.errors.length; e++) tables[tableOf[quantized.errorChannels[e]]].encode(writer, quantized.errors[e]);
  const errorBytes = writer.finish();
  const codeBytes = packSignedBits(quantized.codes, p.bits);

  const headerBytes = 12 + 4 * shape.length + 4 + 4 * K + 4;
  const scaleBytes = 4 * p.channels;
  const tableBytes = tableCount * tableByteLength(m);
  const total = headerBytes + scaleBytes + codeBytes.length + tableBytes + errorBytes.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(DQA_MAGIC, 0);
  out[4] = DQA_FORMAT_VERSION;
  out[5] = p.bits;
  out[6] = m;
  out[7] = perChannel ? 1 : 0;
  out[8] = shape.length;
  let o = 12;
  for (const d of shape) (view.setUint32(o, d, true), (o += 4));
  for (let c = 0; c < p.channels; c++) (view.setFloat32(o, p.scales[c], true), (o += 4));
  view.setUint32(o, K, true);
  o += 4;
  for (let i = 0; i < K; i++) (view.setUint32(o, p.important[i], true), (o += 4));
  out.set(codeBytes, o);
  o += codeBytes.length;
  for (const t of tables) {
    out.set(packBits(t.lengths, 4), o);
    o += tableByteLength(m);
  }
  view.setUint32(o, writer.bitLength, true);
  o += 4;
  out.set(errorBytes, o);
  o += errorBytes.length;
  view.setUint32(o, crc32(out.subarray(0, o)), true);

  const errorEntropyBits = counts.reduce((sum, c) => sum + c.reduce((a, b) => a + b, 0) * entropyBits(c), 0);
  return {
    bytes: out,
    stats: {
      elements: size,
      channels: p.channels,
      importantChannels: K,
      headerBytes: headerBytes + 4,
      scaleBytes,
      codeBytes: codeBytes.length,
      tableBytes,
      errorStreamBytes: errorBytes.length,
      totalBytes: total,
      errorSymbols: quantized.errors.length,
      errorBits: writer.bitLength,
      errorEntropyBits,
    },
  };
}

/** Bounds-checked little-endian reader over the encoded bytes. */
class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly end: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (!(n >= 0) || this.pos + n > this.end) {
      throw new LowbitDataError(SOURCE, `truncated: ${what} needs ${n} bytes at offset ${this.pos}, only ${Math.max(0, this.end - this.pos)} left`);
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  slice(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** Parses and dequantizes encoded activations; throws {@link LowbitDataError} for any corruption. */
export function decodeActivations(bytes: Uint8Array): DecodedActivations {
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  if (bytes.length < 12 + 4) throw new LowbitDataError(SOURCE, `truncated: ${bytes.length} bytes is shorter than the smallest header`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== DQA_MAGIC[i]) throw new LowbitDataError(SOURCE, 'bad magic: not a DQA activation stream (expected "LBDQ")');
  }
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) {
    throw new LowbitDataError(SOURCE, `checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}): data corrupt or truncated`);
  }
  // Everything below still checks every field: a checksum does not make crafted bytes valid.
  const r = new Reader(bytes, bytes.length - 4);
  r.pos = 4;
  const version = r.u8('version');
  if (version !== DQA_FORMAT_VERSION) throw new LowbitDataError(SOURCE, `unsupported format version ${version} (this decoder reads ${DQA_FORMAT_VERSION})`);
  const bits = r.u8('bits');
  if (bits < MIN_BITS || bits > MAX_BITS) throw new LowbitDataError(SOURCE, `bits ${bits} outside ${MIN_BITS}..${MAX_BITS}`);
  const m = r.u8('extraBits');
  if (m < MIN_EXTRA_BITS || m > MAX_EXTRA_BITS) throw new LowbitDataError(SOURCE, `extraBits ${m} outside ${MIN_EXTRA_BITS}..${MAX_EXTRA_BITS}`);
  const granularity = r.u8('table granularity');
  if (granularity > 1) throw new LowbitDataError(SOURCE, `table granularity ${granularity} is neither 0 (layer) nor 1 (channel)`);
  const rank = r.u8('rank');
  if (rank < 1 || rank > MAX_RANK) throw new LowbitDataError(SOURCE, `rank ${rank} outside 1..${MAX_RANK}`);
  for (let i = 0; i < 3; i++) if (r.u8('reserved') !== 0) throw new LowbitDataError(SOURCE, 'reserved header bytes are not zero');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(r.u32(`dim ${i}`));
  const channels = shape[rank - 1];
  if (channels < 1) throw new LowbitDataError(SOURCE, 'the channel (last) dim is 0');
  const size = shape.reduce((a, b) => a * b, 1);
  r.need(4 * channels, `${channels} scales`);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = r.f32('scale');
    if (!(Number.isFinite(s) && s > 0)) throw new LowbitDataError(SOURCE, `scale of channel ${c} is ${s}, expected finite > 0`);
    scales[c] = s;
  }
  const K = r.u32('important-channel count');
  if (K > channels) throw new LowbitDataError(SOURCE, `${K} important channels but only ${channels} channels`);
  r.need(4 * K, `${K} important-channel indices`);
  const important = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    const c = r.u32('important channel');
    if (c >= channels || (i > 0 && c <= important[i - 1])) {
      throw new LowbitDataError(SOURCE, `important channel index ${c} at position ${i} is out of range or not increasing`);
    }
    important[i] = c;
  }
  const codeByteLength = Math.ceil((size * bits) / 8);
  if (!Number.isSafeInteger(codeByteLength)) throw new LowbitDataError(SOURCE, `shape [${shape}] is too large`);
  const codes = unpackSignedBits(r.slice(codeByteLength, `codes of ${size} elements`), bits, size);
  const perChannel = granularity === 1;
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  const tables: HuffmanTable[] = [];
  for (let t = 0; t < tableCount; t++) {
    tables.push(new HuffmanTable(unpackBits(r.slice(tableByteLength(m), `Huffman table ${t}`), 4, 2 ** m)));
  }
  const errorBits = r.u32('error bitstream length');
  const errorBytes = r.slice(Math.ceil(errorBits / 8), 'error bitstream');
  if (r.pos !== r.end) throw new LowbitDataError(SOURCE, `${r.end - r.pos} unexpected bytes after the error bitstream`);
  const reader = new BitReader(errorBytes, errorBits);

  const params = checkDqaParams({ bits, extraBits: m, scales, important, tableGranularity: perChannel ? 'channel' : 'layer' });
  const tableOf = new Int32Array(channels).fill(-1);
  important.forEach((c, i) => (tableOf[c] = perChannel ? i : 0));
  const values = new Float32Array(size);
  const inv = 1 / 2 ** m;
  const rows = size / channels;
  for (let row = 0, i = 0; row < rows; row++) {
    for (let c = 0; c < channels; c++, i++) {
      const t = tableOf[c];
      if (t < 0) {
        values[i] = codes[i] * scales[c];
      } else {
        const k = tables[t].decode(reader);
        values[i] = scales[c] * (codes[i] + k * inv);
      }
    }
  }
  if (reader.position !== errorBits) {
    throw new LowbitDataError(SOURCE, `error bitstream has ${errorBits - reader.position} bits left over after the last symbol`);
  }
  return { shape, values, params };
}

/** {@link decodeActivations} as a float32 tensor (the caller disposes it). */
export function decode(bytes: Uint8Array): tf.Tensor {
  const { shape, values } = decodeActivations(bytes);
  return tf.tensor(values, shape, 'float32');
}
