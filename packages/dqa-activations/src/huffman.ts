/**
 * Canonical, length-limited Huffman codes for small alphabets (the 2^m shift-error symbols).
 *
 * Hand-written: the npm packages for Huffman coding are unmaintained demos without canonical
 * codes, length limits or a stable bit format, and the decoder here must reject corrupt tables and
 * streams with typed errors. The code is small and fully tested.
 *
 * - {@link huffmanCodeLengths}: optimal code lengths for symbol counts (0 for unused symbols),
 *   limited to `maxLength` bits by halving the counts and rebuilding until the limit holds (counts
 *   stay >= 1, so it ends at worst with a balanced code of ceil(log2 n) bits).
 * - {@link canonicalCodes}: the canonical code of each symbol from its length (as DEFLATE, RFC 1951
 *   3.2.2): shorter codes first, ties by symbol order, so only the lengths need storing.
 * - {@link HuffmanTable}: encoder and bit-by-bit decoder for one set of lengths. A table with a
 *   single symbol spends 0 bits per symbol (its lengths still mark which symbol it is); a table
 *   with no symbols cannot code anything.
 * - {@link huffmanEncodeInto} / {@link huffmanDecodeInto}: the bulk paths the codec uses, for a
 *   run of symbols that cycle through one or more tables (symbol i uses table i mod T). The encoder
 *   keeps each code bit-reversed beside its length in one typed array (and, when codes have at
 *   most 8 bits, every pair of codes in a second one: two symbols per lookup, four symbols read
 *   per 32-bit word) and flushes a 32-bit accumulator 16 bits at a time; the decoder looks up to
 *   {@link MAX_LOOKUP_BITS} stream bits at once in a table giving up to four symbols (stored with
 *   one 32-bit write), and decodes the rare longer codes canonically from the same bit buffer ({@link HuffmanTableSet} holds the tables in flat typed arrays). Both
 *   write and read exactly the bits of the one-symbol-at-a-time path.
 *
 * ```ts
 * const lengths = huffmanCodeLengths([10, 1, 1, 0]); // Uint8Array [1, 2, 2, 0]
 * const table = new HuffmanTable(lengths);
 * const w = new BitWriter(); table.encode(w, 2);      // writes 11
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkInteger } from '@lowbit/quant-core';
import { reverseBits, type BitReader, type BitWriter } from './bit-stream.js';

// Symbols are read four per 32-bit word, low byte first: the byte order of every current JS platform.
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Longest code the format allows (lengths are stored in 4 bits). */
export const MAX_CODE_LENGTH = 15;

/**
 * Most stream bits the bulk decoder resolves with one lookup (2^11 entries of 2 x 4 bytes, 16 KB
 * per table). Codes up to this length (all of them for m <= 3, and nearly all the symbols of longer
 * codes) take one lookup; longer ones fall back to canonical decoding.
 */
export const MAX_LOOKUP_BITS = 11;

/** `value` as an array or typed array of numbers (its entries are checked where they are read). */
function checkNumberList(argument: string, value: unknown): ArrayLike<number> {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new LowbitConfigError(argument, value, 'expected an array or typed array of numbers');
  }
  return value as ArrayLike<number>;
}

/** Optimal (length-limited) Huffman code lengths for `counts`; 0 marks unused symbols. */
export function huffmanCodeLengths(counts: ArrayLike<number>, maxLength = MAX_CODE_LENGTH): Uint8Array {
  checkNumberList('counts', counts);
  checkInteger('maxLength', maxLength, 1, MAX_CODE_LENGTH);
  const n = counts.length;
  const used: number[] = [];
  for (let s = 0; s < n; s++) {
    const c = counts[s];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
      throw new LowbitConfigError(`counts[${s}]`, c, 'expected a non-negative integer');
    }
    if (c > 0) used.push(s);
  }
  if (used.length > 2 ** maxLength) {
    throw new LowbitConfigError('maxLength', maxLength, `too short for ${used.length} symbols`);
  }
  const lengths = new Uint8Array(n);
  if (used.length === 0) return lengths;
  if (used.length === 1) {
    lengths[used[0]] = 1;
    return lengths;
  }
  let weights = used.map((s) => counts[s]);
  for (;;) {
    const depth = treeDepths(weights);
    if (Math.max(...depth) <= maxLength) {
      used.forEach((s, i) => (lengths[s] = depth[i]));
      return lengths;
    }
    weights = weights.map((w) => Math.max(1, w >>> 1));
  }
}

/** Depth of each leaf in a Huffman tree over `weights` (>= 2 leaves); ties broken deterministically. */
function treeDepths(weights: number[]): number[] {
  // Nodes: leaves 0..n-1, internal nodes after. Alphabets are tiny (<= 256), so a sorted list suffices.
  const n = weights.length;
  const parent = new Int32Array(2 * n - 1).fill(-1);
  const weight = [...weights];
  let live = weights.map((_, i) => i);
  while (live.length > 1) {
    live.sort((a, b) => weight[a] - weight[b] || a - b);
    const [a, b] = live;
    const node = weight.length;
    weight.push(weight[a] + weight[b]);
    parent[a] = node;
    parent[b] = node;
    live = [node, ...live.slice(2)];
  }
  const depth = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let p = parent[i]; p !== -1; p = parent[p]) d++;
    depth[i] = d;
  }
  return depth;
}

/** Canonical codes from lengths; throws {@link LowbitDataError} for over-subscribed lengths. */
export function canonicalCodes(lengths: ArrayLike<number>): Uint32Array {
  checkNumberList('lengths', lengths);
  const blCount = new Array<number>(MAX_CODE_LENGTH + 1).fill(0);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s];
    if (!Number.isInteger(l) || l < 0 || l > MAX_CODE_LENGTH) {
      throw new LowbitDataError('Huffman table', `code length ${l} of symbol ${s} is outside 0..${MAX_CODE_LENGTH}`);
    }
    blCount[l]++;
  }
  blCount[0] = 0;
  // Kraft: sum 2^-l <= 1, else two symbols would share a prefix.
  let kraft = 0;
  for (let l = 1; l <= MAX_CODE_LENGTH; l++) kraft += blCount[l] * 2 ** (MAX_CODE_LENGTH - l);
  if (kraft > 2 ** MAX_CODE_LENGTH)
    throw new LowbitDataError('Huffman table', 'code lengths are over-subscribed (not a prefix code)');
  const nextCode = new Array<number>(MAX_CODE_LENGTH + 2).fill(0);
  let code = 0;
  for (let l = 1; l <= MAX_CODE_LENGTH; l++) {
    code = (code + blCount[l - 1]) << 1;
    nextCode[l] = code;
  }
  const codes = new Uint32Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s] > 0) codes[s] = nextCode[lengths[s]]++;
  return codes;
}

/** One Huffman table: canonical codes for encoding, counts per length for decoding. */
export class HuffmanTable {
  readonly lengths: Uint8Array;
  readonly codes: Uint32Array;
  /** Each code with its bit order reversed (stream order), for {@link BitWriter.writeReversed}. */
  readonly reversed: Uint32Array;
  /** Number of symbols with a code. */
  readonly symbolCount: number;
  /** The only symbol of a one-symbol table (coded with 0 bits), else -1. */
  readonly singleSymbol: number;
  /** @internal Number of codes of each length, for canonical decoding. */
  readonly countPerLength: Int32Array;
  /** @internal The symbols with a code, by (length, symbol): canonical code order. */
  readonly sortedSymbols: Int32Array;

  constructor(lengths: ArrayLike<number>) {
    checkNumberList('lengths', lengths);
    this.lengths = Uint8Array.from(lengths);
    this.codes = canonicalCodes(this.lengths);
    this.reversed = this.codes.map((c, s) => reverseBits(c, this.lengths[s]));
    const used: number[] = [];
    for (let s = 0; s < this.lengths.length; s++) if (this.lengths[s] > 0) used.push(s);
    this.symbolCount = used.length;
    if (used.length === 1 && this.lengths[used[0]] !== 1) {
      throw new LowbitDataError(
        'Huffman table',
        `a one-symbol table must give its symbol length 1, got ${this.lengths[used[0]]}`,
      );
    }
    this.singleSymbol = used.length === 1 ? used[0] : -1;
    this.countPerLength = new Int32Array(MAX_CODE_LENGTH + 1);
    for (const s of used) this.countPerLength[this.lengths[s]]++;
    this.sortedSymbols = Int32Array.from(used.sort((a, b) => this.lengths[a] - this.lengths[b] || a - b));
  }

  /** Bits spent on `symbol` (0 in a one-symbol table). */
  bitsOf(symbol: number): number {
    return this.singleSymbol >= 0 ? 0 : this.lengths[symbol];
  }

  /** Writes the code of `symbol`; throws {@link LowbitConfigError} for a symbol without a code. */
  encode(writer: BitWriter, symbol: number): void {
    const len = this.lengths[symbol];
    if (!(len > 0)) throw new LowbitConfigError('symbol', symbol, 'has no code in this Huffman table');
    if (this.singleSymbol >= 0) return;
    writer.writeReversed(this.reversed[symbol], len);
  }

  /** Reads one symbol; throws {@link LowbitDataError} for an empty table or a bit pattern with no symbol. */
  decode(reader: BitReader): number {
    if (this.singleSymbol >= 0) return this.singleSymbol;
    if (this.symbolCount === 0)
      throw new LowbitDataError('Huffman decode', 'a symbol is needed but its table is empty');
    // Canonical decoding: codes of length l are consecutive from `first`, in sortedSymbols order.
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      code |= reader.readBit();
      const count = this.countPerLength[len];
      if (code - first < count) return this.sortedSymbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new LowbitDataError('Huffman decode', 'bit pattern matches no code (corrupt stream)');
  }
}

function checkTables(tables: readonly HuffmanTable[]): void {
  if (
    !Array.isArray(tables) ||
    tables.length === 0 ||
    !tables.every((t) => t instanceof HuffmanTable && t.lengths.length <= 256)
  ) {
    throw new LowbitConfigError(
      'tables',
      tables,
      'expected a non-empty array of HuffmanTable, each of at most 256 symbols',
    );
  }
}

function toSymbolBytes(symbols: ArrayLike<number>): Uint8Array {
  if (symbols instanceof Uint8Array) return symbols;
  if (symbols === null || typeof symbols !== 'object' || typeof symbols.length !== 'number') {
    throw new LowbitConfigError('symbols', symbols, 'expected an array or typed array of symbols');
  }
  const out = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (!(Number.isInteger(s) && s >= 0 && s <= 255))
      throw new LowbitConfigError(`symbols[${i}]`, s, 'expected an integer symbol from 0 to 255');
    out[i] = s;
  }
  return out;
}

/**
 * Encoder entries, `stride` (the largest alphabet) per table: `(reversed code << 5) | bits` (0
 * for the symbol of a one-symbol table), -1 for a symbol without a code.
 */
function encodeEntries(tables: readonly HuffmanTable[]): { entries: Int32Array; stride: number } {
  let stride = 1;
  for (const t of tables) stride = Math.max(stride, t.lengths.length);
  const entries = new Int32Array(tables.length * stride).fill(-1);
  tables.forEach((t, k) => {
    for (let s = 0; s < t.lengths.length; s++) {
      if (t.lengths[s] > 0) entries[k * stride + s] = t.singleSymbol >= 0 ? 0 : (t.reversed[s] << 5) | t.lengths[s];
    }
  });
  return { entries, stride };
}

function noCode(i: number, symbol: number, table: number): LowbitConfigError {
  return new LowbitConfigError(`symbols[${i}]`, symbol, `has no code in Huffman table ${table}`);
}

/** The error for the first symbol from index `from` without a code in its table (symbol i uses table i mod T). */
function firstNoCode(
  entries: Int32Array,
  stride: number,
  syms: Uint8Array,
  from: number,
  T: number,
): LowbitConfigError {
  for (let i = from; i < syms.length; i++) {
    const t = i % T;
    if (syms[i] >= stride || entries[t * stride + syms[i]] < 0) return noCode(i, syms[i], t);
  }
  return new LowbitConfigError('symbols', syms, 'has a symbol without a code'); // not reached
}

/**
 * Encoder entries for pairs of symbols, when every code has at most 8 bits and the tables are
 * small (`T x P^2 <= 2^12`, P the alphabet rounded up to a power of two): entry
 * `t * P^2 + s0 + (s1 << bits)` is symbol s0 of table t followed by s1 of table t + 1, as
 * `(reversed codes << 5) | bits`, or -1 if either has no code. Null when that does not hold
 * (the encoder then goes one symbol at a time).
 */
function pairEntries(entries: Int32Array, stride: number, T: number): { lut: Int32Array; bits: number } | null {
  let bits = 0;
  while (1 << bits < stride) bits++;
  const P = 1 << bits;
  if (T * P * P > 1 << 12) return null;
  for (let e = 0; e < entries.length; e++) if (entries[e] >= 0 && (entries[e] & 31) > 8) return null;
  const lut = new Int32Array(T * P * P).fill(-1);
  for (let t = 0; t < T; t++) {
    const u = (t + 1) % T;
    for (let s0 = 0; s0 < stride; s0++) {
      const a = entries[t * stride + s0];
      if (a < 0) continue;
      for (let s1 = 0; s1 < stride; s1++) {
        const b = entries[u * stride + s1];
        if (b < 0) continue;
        const la = a & 31;
        lut[t * P * P + s0 + (s1 << bits)] = ((((a >>> 5) | ((b >>> 5) << la)) << 5) | (la + (b & 31))) >>> 0;
      }
    }
  }
  return { lut, bits };
}

/**
 * Bits {@link huffmanEncodeInto} writes for `symbols` (symbol i with `tables[i % T]`); throws
 * {@link LowbitConfigError} for a symbol without a code in its table.
 */
export function huffmanEncodedBits(tables: readonly HuffmanTable[], symbols: ArrayLike<number>): number {
  checkTables(tables);
  const syms = toSymbolBytes(symbols);
  const { entries, stride } = encodeEntries(tables);
  const T = tables.length;
  let bits = 0;
  for (let i = 0, t = 0; i < syms.length; i++) {
    const x = syms[i] < stride ? entries[t * stride + syms[i]] : -1;
    if (x < 0) throw noCode(i, syms[i], t);
    bits += x & 31;
    if (++t === T) t = 0;
  }
  return bits;
}

/**
 * Writes the codes of `symbols` (symbol i with `tables[i % T]`) into `out` from byte `offset`:
 * the same bits as {@link HuffmanTable.encode} one symbol at a time into a fresh {@link BitWriter}
 * (bytes filled from bit 0, unused high bits of the last byte 0). Returns the number of bits
 * written. Throws {@link LowbitConfigError} for a symbol without a code or when `out` is too short
 * (size it with {@link huffmanEncodedBits}).
 */
export function huffmanEncodeInto(
  tables: readonly HuffmanTable[],
  symbols: ArrayLike<number>,
  out: Uint8Array,
  offset = 0,
): number {
  checkTables(tables);
  if (!(out instanceof Uint8Array)) throw new LowbitConfigError('out', out, 'expected a Uint8Array');
  checkInteger('offset', offset, 0, out.length);
  const syms = toSymbolBytes(symbols);
  const { entries, stride } = encodeEntries(tables);
  const n = syms.length;
  const end = out.length;
  const tooShort = () =>
    new LowbitConfigError('out', out, `too short for the codes (${end - offset} bytes from offset ${offset})`);
  const T = tables.length;
  const pairs = pairEntries(entries, stride, T);
  let acc = 0; // pending bits, fewer than 16 between steps (a step adds at most 16)
  let accBits = 0;
  let o = offset;
  let i = 0;
  let t = 0; // table of symbol i
  if (pairs !== null && LITTLE_ENDIAN && (syms.byteOffset & 3) === 0 && n >= 4) {
    // Two symbols per lookup (codes of at most 8 bits, so a pair fits the 16 free bits), four
    // symbols read per word.
    const { lut, bits: pb } = pairs;
    const P = 1 << pb;
    const low = P - 1;
    const pairStride = P * P;
    const tooBig = ~(low * 0x01010101); // some symbol byte of the word is >= P: no pair entry
    const words = new Int32Array(syms.buffer, syms.byteOffset, n >>> 2);
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      if ((word & tooBig) !== 0) throw firstNoCode(entries, stride, syms, 4 * w, T);
      let x = lut[t * pairStride + (word & low) + (((word >>> 8) & low) << pb)];
      if (x < 0) throw firstNoCode(entries, stride, syms, 4 * w, T);
      acc |= (x >>> 5) << accBits;
      accBits += x & 31;
      if (accBits >= 16) {
        if (o + 2 > end) throw tooShort();
        out[o] = acc;
        out[o + 1] = acc >>> 8;
        o += 2;
        acc >>>= 16;
        accBits -= 16;
      }
      t += 2;
      if (t >= T) t -= T;
      if (t >= T) t -= T;
      x = lut[t * pairStride + ((word >>> 16) & low) + (((word >>> 24) & low) << pb)];
      if (x < 0) throw firstNoCode(entries, stride, syms, 4 * w + 2, T);
      acc |= (x >>> 5) << accBits;
      accBits += x & 31;
      if (accBits >= 16) {
        if (o + 2 > end) throw tooShort();
        out[o] = acc;
        out[o + 1] = acc >>> 8;
        o += 2;
        acc >>>= 16;
        accBits -= 16;
      }
      t += 2;
      if (t >= T) t -= T;
      if (t >= T) t -= T;
    }
    i = words.length << 2;
  }
  // One symbol per step: the tail after the words, or every symbol without a pair table.
  for (let e = t * stride; i < n; i++) {
    const s = syms[i];
    const x = s < stride ? entries[e + s] : -1;
    if (x < 0) throw noCode(i, s, e / stride);
    acc |= (x >>> 5) << accBits;
    accBits += x & 31;
    if (accBits >= 16) {
      if (o + 2 > end) throw tooShort();
      out[o] = acc;
      out[o + 1] = acc >>> 8;
      o += 2;
      acc >>>= 16;
      accBits -= 16;
    }
    e += stride;
    if (e === entries.length) e = 0;
  }
  const bits = (o - offset) * 8 + accBits;
  const tail = (accBits + 7) >>> 3;
  if (o + tail > end) throw tooShort();
  if (tail > 0) out[o] = acc;
  if (tail > 1) out[o + 1] = acc >>> 8;
  return bits;
}

/** Bit reversal of bytes, for reversing codes of up to 16 bits in two lookups. */
const REVERSED_BYTE = Uint8Array.from({ length: 256 }, (_, b) => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >>> i) & 1) << (7 - i);
  return r;
});

/**
 * Many decode tables in flat typed arrays (no object per table): what {@link huffmanDecodeInto}
 * reads. Built from the 4-bit code lengths as stored, `alphabet` per table, with the same checks
 * as {@link HuffmanTable} (Kraft inequality, a one-symbol table gives its symbol length 1); its
 * memory is a small multiple of the lengths' (about 6 bytes per symbol), so a stream declaring
 * very many tables cannot allocate more than its size allows.
 */
export class HuffmanTableSet {
  readonly tableCount: number;
  readonly alphabet: number;
  /** Code length of symbol s of table t at `t * alphabet + s`. */
  readonly lengths: Uint8Array;
  /** @internal Codes of each length per table (16 per table), for canonical decoding. */
  readonly countPerLength: Int32Array;
  /** @internal Each table's coded symbols in canonical order (`alphabet` per table). */
  readonly sortedSymbols: Uint8Array;
  /** Number of coded symbols of each table. */
  readonly symbolCounts: Int32Array;
  /** Shortest code of each table in bits (0 for one-symbol and empty tables). */
  readonly minBits: Int32Array;

  constructor(lengths: Uint8Array, alphabet: number) {
    if (!(lengths instanceof Uint8Array))
      throw new LowbitConfigError('lengths', lengths, 'expected a Uint8Array of code lengths');
    checkInteger('alphabet', alphabet, 1, 256);
    if (lengths.length % alphabet !== 0 || lengths.length === 0) {
      throw new LowbitConfigError(
        'lengths.length',
        lengths.length,
        `expected a positive multiple of the alphabet (${alphabet})`,
      );
    }
    const T = lengths.length / alphabet;
    this.tableCount = T;
    this.alphabet = alphabet;
    this.lengths = lengths;
    this.countPerLength = new Int32Array(T * 16);
    this.sortedSymbols = new Uint8Array(T * alphabet);
    this.symbolCounts = new Int32Array(T);
    this.minBits = new Int32Array(T);
    const cpl = this.countPerLength;
    const offsets = new Int32Array(17);
    for (let t = 0; t < T; t++) {
      const at = t * alphabet;
      const c = t * 16;
      for (let s = 0; s < alphabet; s++) {
        const l = lengths[at + s];
        if (l > MAX_CODE_LENGTH) {
          throw new LowbitDataError(
            'Huffman table',
            `code length ${l} of symbol ${s} is outside 0..${MAX_CODE_LENGTH}`,
          );
        }
        cpl[c + l]++;
      }
      const used = alphabet - cpl[c];
      cpl[c] = 0;
      let kraft = 0;
      let shortest = 0;
      for (let l = MAX_CODE_LENGTH; l >= 1; l--) {
        kraft += cpl[c + l] << (MAX_CODE_LENGTH - l);
        if (cpl[c + l] > 0) shortest = l;
      }
      if (kraft > 1 << MAX_CODE_LENGTH) {
        throw new LowbitDataError('Huffman table', `table ${t}: code lengths are over-subscribed (not a prefix code)`);
      }
      if (used === 1 && shortest !== 1) {
        throw new LowbitDataError(
          'Huffman table',
          `table ${t}: a one-symbol table must give its symbol length 1, got ${shortest}`,
        );
      }
      this.symbolCounts[t] = used;
      this.minBits[t] = used < 2 ? 0 : shortest;
      // Canonical order: by length, then symbol (a counting sort).
      offsets[1] = 0;
      for (let l = 1; l < 16; l++) offsets[l + 1] = offsets[l] + cpl[c + l];
      for (let s = 0; s < alphabet; s++) {
        const l = lengths[at + s];
        if (l > 0) this.sortedSymbols[at + offsets[l]++] = s;
      }
    }
  }

  /** The tables of `tables` (all of one alphabet size), as one set. */
  static of(tables: readonly HuffmanTable[]): HuffmanTableSet {
    checkTables(tables);
    const alphabet = tables[0].lengths.length;
    if (!tables.every((t) => t.lengths.length === alphabet)) {
      throw new LowbitConfigError('tables', tables, 'expected tables of one alphabet size');
    }
    const lengths = new Uint8Array(tables.length * alphabet);
    tables.forEach((t, k) => lengths.set(t.lengths, k * alphabet));
    return new HuffmanTableSet(lengths, alphabet);
  }
}

/**
 * Lookup bits for a run of `count` symbols over T tables: {@link MAX_LOOKUP_BITS} (even for short
 * codes, whose spare bits let one lookup return up to four symbols), fewer when T tables of 2^bits
 * entries would not fit in cache or would exceed a small multiple of the run: a crafted stream with
 * many tables cannot make the decoder allocate or fill more than its size allows. Codes longer than the lookup bits are
 * decoded canonically (at most 15 steps each), so a small lookup only costs speed.
 */
function lookupBits(set: HuffmanTableSet, count: number): number {
  let bits = MAX_LOOKUP_BITS;
  // At most 2^14 entries (64 KB per lookup array, three arrays, cache-sized), and a small multiple of the run.
  const budget = Math.min(2 ** 14, 2 ** (MAX_LOOKUP_BITS + 1) + count / 2);
  while (bits > 1 && set.tableCount * 2 ** bits > budget) bits--;
  return bits;
}

/**
 * Decodes `count` symbols (symbol i with table i mod T) from the first `bitLength` bits of `bytes`
 * into `out`, and returns the number of bits they took (<= bitLength; the caller decides whether
 * bits may be left over). Throws {@link LowbitDataError} for a bit pattern with no code, a symbol
 * of an empty table, or codes running past `bitLength`.
 *
 * Table-driven: a lookup indexed by the next `b` stream bits (b <= {@link MAX_LOOKUP_BITS}) gives
 * up to four symbols at once (of the successive tables) and the bits they take, read from a
 * 32-bit bit buffer refilled 16 bits at a time; codes longer than b are decoded canonically.
 * Work and memory are linear in `count` plus the tables: no input makes it loop or allocate more.
 */
export function huffmanDecodeInto(
  tables: readonly HuffmanTable[] | HuffmanTableSet,
  bytes: Uint8Array,
  bitLength: number,
  out: Uint8Array,
  count?: number,
): number {
  const set = tables instanceof HuffmanTableSet ? tables : HuffmanTableSet.of(tables);
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  if (!(out instanceof Uint8Array)) throw new LowbitConfigError('out', out, 'expected a Uint8Array');
  if (count === undefined) count = out.length;
  checkInteger('count', count, 0, out.length);
  if (!Number.isInteger(bitLength) || bitLength < 0 || bitLength > bytes.length * 8) {
    throw new LowbitDataError('Huffman decode', `bit length ${bitLength} exceeds the ${bytes.length} bytes given`);
  }
  if (count === 0) return 0;
  const T = set.tableCount;
  const A = set.alphabet;
  const lb = lookupBits(set, count);
  const size = 1 << lb;
  const mask = size - 1;
  const one = singleLookup(set, lb);
  const { symbols: multiSymbols, meta: multiMeta } = multiLookup(one, T, lb);
  const cpl = set.countPerLength;
  const sorted = set.sortedSymbols;
  const symbolCounts = set.symbolCounts;
  // The stream bytes with 12 zero bytes after them, so refills never read out of bounds (the
  // checks before refills keep decodeOneTable's reads within 6 bytes past the end).
  const byteLength = (bitLength + 7) >>> 3;
  const padded = new Uint8Array(byteLength + 12);
  padded.set(bytes.subarray(0, byteLength));
  // Up to four symbols are stored with one little-endian 32-bit write (bytes past the k decoded
  // are overwritten by the next lookups), so the last four are decoded one at a time.
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (T === 1) return decodeOneTable(set, lb, one, multiSymbols, multiMeta, padded, bitLength, view, out, count);
  let buf = 0; // the next stream bits from bit 0; at least 16 valid after a refill
  let bufBits = 0;
  let p = 0;
  let t = 0;
  let i = 0;
  const lastMulti = count - 4;
  for (;;) {
    if (bufBits < 16) {
      // Everything consumed so far must lie inside the stream (this also keeps p in bounds).
      if (p * 8 - bufBits > bitLength) throw pastEnd(bitLength);
      buf |= (padded[p] | (padded[p + 1] << 8)) << bufBits;
      p += 2;
      bufBits += 16;
    }
    let l: number;
    let k: number;
    const at = (t << lb) | (buf & mask);
    if (i <= lastMulti) {
      const x = multiMeta[at];
      if (x > 0) {
        view.setInt32(i, multiSymbols[at], true);
        k = x >>> 4;
        l = x & 15;
      } else {
        const y = decodeLong(cpl, sorted, symbolCounts[t], t, A, buf);
        out[i] = y >>> 6;
        k = 1;
        l = y & 15;
      }
    } else {
      if (i === count) break;
      let y = one[at];
      if (y < 0) y = decodeLong(cpl, sorted, symbolCounts[t], t, A, buf);
      out[i] = y >>> 6;
      k = 1;
      l = y & 15;
    }
    buf >>>= l;
    bufBits -= l;
    i += k;
    if (T > 1) {
      t += k;
      if (t >= T) t = t - T >= T ? t % T : t - T;
    }
  }
  const used = p * 8 - bufBits;
  if (used > bitLength) throw pastEnd(bitLength);
  return used;
}

/**
 * {@link huffmanDecodeInto} for one table (layer granularity, the common case): the same steps
 * without the table index, and two lookups per refill. About 1.5x the general loop's speed on the
 * codec bench's error stream (measured side by side against the same table listed twice).
 */
function decodeOneTable(
  set: HuffmanTableSet,
  lb: number,
  one: Int32Array,
  multiSymbols: Int32Array,
  multiMeta: Int32Array,
  padded: Uint8Array,
  bitLength: number,
  view: DataView,
  out: Uint8Array,
  count: number,
): number {
  const mask = (1 << lb) - 1;
  const cpl = set.countPerLength;
  const sorted = set.sortedSymbols;
  const symbolCount = set.symbolCounts[0];
  const A = set.alphabet;
  const lastMulti = count - 4;
  let buf = 0;
  let bufBits = 0;
  let p = 0;
  let i = 0;
  while (i < count) {
    if (bufBits < 24) {
      if (p * 8 - bufBits > bitLength) throw pastEnd(bitLength);
      // Whole bytes while they fit the 32-bit buffer: more than 24 valid bits after.
      while (bufBits <= 24) {
        buf |= padded[p++] << bufBits;
        bufBits += 8;
      }
    }
    // Here at least 24 bits are valid: enough for a code of up to 15 bits, or for two lookups of
    // lb <= 11 bits.
    const at = buf & mask;
    const x = i <= lastMulti ? multiMeta[at] : 0;
    if (x > 0) {
      view.setInt32(i, multiSymbols[at], true);
      buf >>>= x & 15;
      bufBits -= x & 15;
      i += x >>> 4;
      if (i > lastMulti) continue;
      const at2 = buf & mask;
      const x2 = multiMeta[at2];
      if (x2 > 0) {
        view.setInt32(i, multiSymbols[at2], true);
        buf >>>= x2 & 15;
        bufBits -= x2 & 15;
        i += x2 >>> 4;
      }
    } else {
      // One symbol: one of the last four (a 32-bit write would pass the end of `out`), or a code
      // longer than the lookup (decoded canonically).
      let y = one[at];
      if (y < 0) y = decodeLong(cpl, sorted, symbolCount, 0, A, buf);
      out[i++] = y >>> 6;
      buf >>>= y & 15;
      bufBits -= y & 15;
    }
  }
  const used = p * 8 - bufBits;
  if (used > bitLength) throw pastEnd(bitLength);
  return used;
}

/**
 * One-symbol lookup, 2^lb entries per table indexed by the next lb stream bits:
 * `(symbol << 6) | (1 << 4) | length`, or -1 when no code of at most lb bits starts there.
 * A one-symbol table maps every index to its symbol with length 0.
 */
function singleLookup(set: HuffmanTableSet, lb: number): Int32Array {
  const size = 1 << lb;
  const A = set.alphabet;
  const lut = new Int32Array(set.tableCount * size).fill(-1);
  const cpl = set.countPerLength;
  for (let t = 0; t < set.tableCount; t++) {
    const base = t * size;
    const n = set.symbolCounts[t];
    if (n === 1) {
      lut.fill((set.sortedSymbols[t * A] << 6) | (1 << 4), base, base + size);
      continue;
    }
    // Canonical codes in sorted order: consecutive within a length, doubling between lengths.
    let code = 0;
    let j = 0;
    for (let l = 1; l <= lb; l++) {
      const c = cpl[t * 16 + l];
      for (let q = 0; q < c; q++, j++, code++) {
        const s = set.sortedSymbols[t * A + j];
        const rev = ((REVERSED_BYTE[code & 0xff] << 8) | REVERSED_BYTE[code >>> 8]) >>> (16 - l);
        const entry = (s << 6) | (1 << 4) | l;
        for (let r = rev; r < size; r += 1 << l) lut[base + r] = entry;
      }
      code <<= 1;
    }
  }
  return lut;
}

/**
 * Multi-symbol lookup from the one-symbol lookup: for lookup index j of table t, `symbols` holds
 * the k (1..4) symbols of tables t, t + 1, ... whose codes all lie within the lb bits looked up,
 * one per byte (first symbol in the low byte), and `meta` is `(k << 4) | bits` (the bits they take
 * together), or 0 where even the first symbol needs more than lb bits.
 */
function multiLookup(one: Int32Array, T: number, lb: number): { symbols: Int32Array; meta: Int32Array } {
  const size = 1 << lb;
  const symbols = new Int32Array(T * size);
  const meta = new Int32Array(T * size);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < size; j++) {
      let bits = 0;
      let word = 0;
      let k = 0;
      for (let u = t; k < 4; k++) {
        const a = one[u * size + (j >>> bits)];
        if (a < 0 || (a & 15) > lb - bits) break;
        word |= (a >>> 6) << (8 * k);
        bits += a & 15;
        if (++u === T) u = 0;
      }
      symbols[t * size + j] = word;
      meta[t * size + j] = k === 0 ? 0 : (k << 4) | bits;
    }
  }
  return { symbols, meta };
}

function pastEnd(bitLength: number): LowbitDataError {
  return new LowbitDataError(
    'Huffman decode',
    `codes run past the end of the ${bitLength}-bit stream (data truncated or corrupt)`,
  );
}

/**
 * Canonical decoding of one code of table t from the next (>= 15) bits of `buf`, for codes longer
 * than the lookup: `(symbol << 6) | (1 << 4) | length`.
 */
function decodeLong(
  cpl: Int32Array,
  sorted: Uint8Array,
  symbolCount: number,
  t: number,
  A: number,
  buf: number,
): number {
  if (symbolCount === 0) throw new LowbitDataError('Huffman decode', `a symbol is needed but table ${t} is empty`);
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    code |= (buf >>> (len - 1)) & 1;
    const count = cpl[t * 16 + len];
    if (code - first < count) return (sorted[t * A + index + code - first] << 6) | (1 << 4) | len;
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  throw new LowbitDataError('Huffman decode', 'bit pattern matches no code (corrupt stream)');
}

/** Shannon entropy in bits per symbol of `counts` (0 for one or no symbol). */
export function entropyBits(counts: ArrayLike<number>): number {
  checkNumberList('counts', counts);
  let total = 0;
  for (let s = 0; s < counts.length; s++) total += counts[s];
  if (total === 0) return 0;
  let h = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s];
    if (c > 0) h -= (c / total) * Math.log2(c / total);
  }
  return h;
}
