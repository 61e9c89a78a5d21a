/**
 * Parser for the IDX format of the MNIST files (big-endian header: two zero bytes, a type code,
 * the number of dimensions, then one uint32 per dimension, then the data). Only unsigned-byte
 * data (type 0x08) is accepted, which is what MNIST uses.
 *
 * ```ts
 * const { dims, data } = parseIdx(readFileSync('train-images-idx3-ubyte'), 'train-images', 3);
 * // dims = [60000, 28, 28], data: Uint8Array(47040000)
 * ```
 *
 * Every malformed input (short header, wrong magic, wrong rank, truncated or over-long data)
 * throws {@link LowbitDataError}; no read ever goes past the end of the buffer.
 */
import { LowbitDataError } from '@lowbit/quant-core';

export interface IdxArray {
  dims: number[];
  /** The data bytes, a view into the input buffer (no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, source: string, expectedRank: number): IdxArray {
  if (bytes.length < 4)
    throw new LowbitDataError(source, `IDX file is ${bytes.length} bytes long, shorter than its 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new LowbitDataError(
      source,
      `not an IDX file: magic number starts with bytes ${bytes[0]}, ${bytes[1]} instead of 0, 0`,
    );
  }
  if (bytes[2] !== UBYTE)
    throw new LowbitDataError(
      source,
      `IDX data type 0x${bytes[2].toString(16)} is not supported: expected 0x08 (unsigned byte)`,
    );
  const rank = bytes[3];
  if (rank !== expectedRank)
    throw new LowbitDataError(source, `IDX file has ${rank} dimensions, expected ${expectedRank}`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new LowbitDataError(
      source,
      `IDX header truncated: ${bytes.length} bytes, the header of a rank-${rank} file needs ${headerBytes}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    dims.push(size);
    count *= size;
  }
  const available = bytes.length - headerBytes;
  if (available !== count) {
    const what = available < count ? 'truncated' : 'has trailing bytes';
    throw new LowbitDataError(
      source,
      `IDX data ${what}: header [${dims.join(', ')}] needs ${count} bytes, file has ${available}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
