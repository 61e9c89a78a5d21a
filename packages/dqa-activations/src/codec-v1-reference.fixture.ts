/**
 * The first (simple) DQA codec, kept verbatim as a reference for tests and the bench: bit-by-bit
 * Huffman decoding, a byte-at-a-time bit writer, quant-core's generic packers and CRC. The fast
 * codec in codec.ts must produce the same bytes and decode every stream to the same values.
 * Not part of the package (`*.fixture.ts` is left out of the build).
 */
import { LowbitDataError, crc32, packBits, packSignedBits, unpackBits, unpackSignedBits } from '@lowbit/quant-core';
import {
  checkDqaParams,
  type CheckedDqaParams,
  type DqaParams,
  MAX_BITS,
  MAX_EXTRA_BITS,
  MIN_BITS,
  MIN_EXTRA_BITS,
} from './dqa-params.js';
import { dqaQuantizeValues } from './dqa-quantize.js';
import { canonicalCodes, huffmanCodeLengths } from './huffman.js';

const SOURCE = 'DQA activation decode (v1 reference)';
const MAGIC = Uint8Array.of(0x4c, 0x42, 0x44, 0x51);
const MAX_RANK = 8;
const MAX_CODE_LENGTH = 15;

class RefBitWriter {
  private bytes = new Uint8Array(64);
  private bytePos = 0;
  private acc = 0;
  private accBits = 0;
  get bitLength(): number {
    return this.bytePos * 8 + this.accBits;
  }
  writeReversed(bits: number, length: number): void {
    if (this.bytePos + 4 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + 4);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.acc |= bits << this.accBits;
    this.accBits += length;
    while (this.accBits >= 8) {
      this.bytes[this.bytePos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.bytePos + (this.accBits > 0 ? 1 : 0));
    out.set(this.bytes.subarray(0, this.bytePos));
    if (this.accBits > 0) out[this.bytePos] = this.acc & 0xff;
    return out;
  }
}

class RefBitReader {
  position = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly bitLimit: number,
  ) {}
  readBit(): number {
    if (this.position >= this.bitLimit) throw new LowbitDataError('BitReader', 'read past the end (reference)');
    const bit = (this.bytes[this.position >>> 3] >>> (this.position & 7)) & 1;
    this.position++;
    return bit;
  }
}

function reverse(code: number, length: number): number {
  let r = 0;
  for (let b = 0; b < length; b++) r |= ((code >>> b) & 1) << (length - 1 - b);
  return r;
}

class RefTable {
  readonly lengths: Uint8Array;
  private readonly reversed: Uint32Array;
  private readonly singleSymbol: number;
  private readonly symbolCount: number;
  private readonly countPerLength = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly sortedSymbols: Int32Array;
  constructor(lengths: ArrayLike<number>) {
    this.lengths = Uint8Array.from(lengths);
    const codes = canonicalCodes(this.lengths);
    this.reversed = codes.map((c, s) => reverse(c, this.lengths[s]));
    const used: number[] = [];
    for (let s = 0; s < this.lengths.length; s++) if (this.lengths[s] > 0) used.push(s);
    this.symbolCount = used.length;
    if (used.length === 1 && this.lengths[used[0]] !== 1)
      throw new LowbitDataError('Huffman table', 'one-symbol table (reference)');
    this.singleSymbol = used.length === 1 ? used[0] : -1;
    for (const s of used) this.countPerLength[this.lengths[s]]++;
    this.sortedSymbols = Int32Array.from(used.sort((a, b) => this.lengths[a] - this.lengths[b] || a - b));
  }
  encode(w: RefBitWriter, symbol: number): void {
    if (this.singleSymbol >= 0) return;
    w.writeReversed(this.reversed[symbol], this.lengths[symbol]);
  }
  decode(r: RefBitReader): number {
    if (this.singleSymbol >= 0) return this.singleSymbol;
    if (this.symbolCount === 0) throw new LowbitDataError('Huffman decode', 'empty table (reference)');
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      code |= r.readBit();
      const count = this.countPerLength[len];
      if (code - first < count) return this.sortedSymbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new LowbitDataError('Huffman decode', 'no code (reference)');
  }
}

const tableByteLength = (m: number) => Math.ceil((2 ** m * 4) / 8);

/** The v1 encoder: flat channels-last float values with their shape. */
export function referenceEncode(values: ArrayLike<number>, shape: number[], dqaParams: DqaParams): Uint8Array {
  const p = checkDqaParams(dqaParams);
  const size = shape.reduce((a, b) => a * b, 1);
  const quantized = dqaQuantizeValues(values, p);
  const m = p.extraBits;
  const K = p.important.length;
  const perChannel = p.tableGranularity === 'channel';
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  const tableOf = new Int32Array(p.channels).fill(-1);
  p.important.forEach((c, i) => (tableOf[c] = perChannel ? i : 0));
  const counts = Array.from({ length: tableCount }, () => new Array<number>(2 ** m).fill(0));
  for (let e = 0; e < quantized.errors.length; e++) counts[tableOf[quantized.errorChannels[e]]][quantized.errors[e]]++;
  const tables = counts.map((c) => new RefTable(huffmanCodeLengths(c)));
  const writer = new RefBitWriter();
  for (let e = 0; e < quantized.errors.length; e++)
    tables[tableOf[quantized.errorChannels[e]]].encode(writer, quantized.errors[e]);
  const errorBytes = writer.finish();
  const codeBytes = packSignedBits(quantized.codes, p.bits);
  const headerBytes = 12 + 4 * shape.length + 4 + 4 * K + 4;
  const total =
    headerBytes + 4 * p.channels + codeBytes.length + tableCount * tableByteLength(m) + errorBytes.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = 1;
  out[5] = p.bits;
  out[6] = m;
  out[7] = perChannel ? 1 : 0;
  out[8] = shape.length;
  let o = 12;
  for (const d of shape) {
    view.setUint32(o, d, true);
    o += 4;
  }
  for (let c = 0; c < p.channels; c++) {
    view.setFloat32(o, p.scales[c], true);
    o += 4;
  }
  view.setUint32(o, K, true);
  o += 4;
  for (let i = 0; i < K; i++) {
    view.setUint32(o, p.important[i], true);
    o += 4;
  }
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
  if (size !== values.length) throw new Error('reference encode: size mismatch');
  return out;
}

/** The v1 decoder (without the later robustness checks: it returns what v1 returned). */
export function referenceDecode(bytes: Uint8Array): {
  shape: number[];
  values: Float32Array;
  params: CheckedDqaParams;
} {
  if (bytes.length < 16) throw new LowbitDataError(SOURCE, 'truncated');
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw new LowbitDataError(SOURCE, 'bad magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(bytes.length - 4, true) !== crc32(bytes.subarray(0, bytes.length - 4)))
    throw new LowbitDataError(SOURCE, 'checksum');
  const end = bytes.length - 4;
  let pos = 4;
  const need = (n: number) => {
    if (!(n >= 0) || pos + n > end) throw new LowbitDataError(SOURCE, 'truncated');
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const slice = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  if (u8() !== 1) throw new LowbitDataError(SOURCE, 'version');
  const bits = u8();
  if (bits < MIN_BITS || bits > MAX_BITS) throw new LowbitDataError(SOURCE, 'bits');
  const m = u8();
  if (m < MIN_EXTRA_BITS || m > MAX_EXTRA_BITS) throw new LowbitDataError(SOURCE, 'extraBits');
  const granularity = u8();
  if (granularity > 1) throw new LowbitDataError(SOURCE, 'granularity');
  const rank = u8();
  if (rank < 1 || rank > MAX_RANK) throw new LowbitDataError(SOURCE, 'rank');
  for (let i = 0; i < 3; i++) if (u8() !== 0) throw new LowbitDataError(SOURCE, 'reserved');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(u32());
  const channels = shape[rank - 1];
  if (channels < 1) throw new LowbitDataError(SOURCE, 'channels');
  const size = shape.reduce((a, b) => a * b, 1);
  need(4 * channels);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = dv.getFloat32(pos, true);
    pos += 4;
    if (!(Number.isFinite(s) && s > 0)) throw new LowbitDataError(SOURCE, 'scale');
    scales[c] = s;
  }
  const K = u32();
  if (K > channels) throw new LowbitDataError(SOURCE, 'K');
  need(4 * K);
  const important = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    const c = u32();
    if (c >= channels || (i > 0 && c <= important[i - 1])) throw new LowbitDataError(SOURCE, 'important');
    important[i] = c;
  }
  const codeByteLength = Math.ceil((size * bits) / 8);
  if (!Number.isSafeInteger(codeByteLength)) throw new LowbitDataError(SOURCE, 'too large');
  const codes = unpackSignedBits(slice(codeByteLength), bits, size);
  const perChannel = granularity === 1;
  const tableCount = K === 0 ? 0 : perChannel ? K : 1;
  const tables: RefTable[] = [];
  for (let t = 0; t < tableCount; t++) tables.push(new RefTable(unpackBits(slice(tableByteLength(m)), 4, 2 ** m)));
  const errorBits = u32();
  const errorBytes = slice(Math.ceil(errorBits / 8));
  if (pos !== end) throw new LowbitDataError(SOURCE, 'trailing');
  const reader = new RefBitReader(errorBytes, errorBits);
  const params = checkDqaParams({
    bits,
    extraBits: m,
    scales,
    important,
    tableGranularity: perChannel ? 'channel' : 'layer',
  });
  const tableOf = new Int32Array(channels).fill(-1);
  important.forEach((c, i) => (tableOf[c] = perChannel ? i : 0));
  const values = new Float32Array(size);
  const inv = 1 / 2 ** m;
  const rows = size / channels;
  for (let row = 0, i = 0; row < rows; row++) {
    for (let c = 0; c < channels; c++, i++) {
      const t = tableOf[c];
      if (t < 0) values[i] = codes[i] * scales[c];
      else values[i] = scales[c] * (codes[i] + tables[t].decode(reader) * inv);
    }
  }
  if (reader.position !== errorBits) throw new LowbitDataError(SOURCE, 'left over');
  return { shape, values, params };
}
