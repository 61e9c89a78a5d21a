/**
 * The browser's (and every non-Node runtime's) half of `#native-crc32` (package.json `imports`,
 * condition `default`): no native CRC-32, so the codec uses `crc32Sliced`. Node resolves
 * `native-crc32.node.ts` instead.
 */

/** CRC-32 of `bytes` continuing `previous` (zlib's `crc32(data, value)`). */
export type Crc32Function = (bytes: Uint8Array, previous?: number) => number;

export const nativeCrc32: Crc32Function | undefined = undefined;
