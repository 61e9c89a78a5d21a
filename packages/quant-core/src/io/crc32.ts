/**
 * CRC-32 (IEEE 802.3, polynomial 0xEDB88320, the one zlib, PNG and zip use) of a byte array.
 *
 * Hand-written (a 256-entry table, a dozen lines) because quant-core must run in the browser as
 * well as in Node: `node:zlib`'s `crc32` is Node-only, and a dependency is not worth this little
 * code. The test checks it against the standard check value and against zlib where available.
 *
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * crc32(part2, crc32(part1));                    // same as crc32 of part1 followed by part2
 * ```
 */
import { LowbitConfigError } from '../errors.js';

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of `bytes`; pass a previous result as `previous` to continue over several chunks. Bytes
 * that are not a Uint8Array, or a `previous` that is not an unsigned 32-bit integer, throw
 * {@link LowbitConfigError}.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (!(bytes instanceof Uint8Array)) throw new LowbitConfigError('bytes', bytes, 'expected a Uint8Array');
  if (!Number.isInteger(previous) || previous < 0 || previous > 0xffffffff) {
    throw new LowbitConfigError('previous', previous, 'expected an earlier crc32 result (an integer 0..2^32-1)');
  }
  const t = crcTable();
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
