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
 *
 * ```ts
 * const lengths = huffmanCodeLengths([10, 1, 1, 0]); // Uint8Array [1, 2, 2, 0]
 * const table = new HuffmanTable(lengths);
 * const w = new BitWriter(); table.encode(w, 2);      // writes 11
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkInteger } from '@lowbit/quant-core';
import { reverseBits, type BitReader, type BitWriter } from './bit-stream.js';

/** Longest code the format allows (lengths are stored in 4 bits). */
export const MAX_CODE_LENGTH = 15;

/** Optimal (length-limited) Huffman code lengths for `counts`; 0 marks unused symbols. */
export function huffmanCodeLengths(counts: ArrayLike<number>, maxLength = MAX_CODE_LENGTH): Uint8Array {
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
  if (kraft > 2 ** MAX_CODE_LENGTH) throw new LowbitDataError('Huffman table', 'code lengths are over-subscribed (not a prefix code)');
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
  /** Each code with its bit order reversed, for {@link BitWriter.writeReversed}. */
  private readonly reversed: Uint32Array;
  /** Number of symbols with a code. */
  readonly symbolCount: number;
  /** The only symbol of a one-symbol table (coded with 0 bits), else -1. */
  readonly singleSymbol: number;
  private readonly countPerLength: Int32Array;
  private readonly sortedSymbols: Int32Array;

  constructor(lengths: ArrayLike<number>) {
    this.lengths = Uint8Array.from(lengths);
    this.codes = canonicalCodes(this.lengths);
    this.reversed = this.codes.map((c, s) => reverseBits(c, this.lengths[s]));
    const used: number[] = [];
    for (let s = 0; s < this.lengths.length; s++) if (this.lengths[s] > 0) used.push(s);
    this.symbolCount = used.length;
    if (used.length === 1 && this.lengths[used[0]] !== 1) {
      throw new LowbitDataError('Huffman table', `a one-symbol table must give its symbol length 1, got ${this.lengths[used[0]]}`);
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
    if (this.symbolCount === 0) throw new LowbitDataError('Huffman decode', 'a symbol is needed but its table is empty');
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

/** Shannon entropy in bits per symbol of `counts` (0 for one or no symbol). */
export function entropyBits(counts: ArrayLike<number>): number {
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
