/**
 * Node's half of `#native-crc32` (package.json `imports`, condition `node`): zlib's native CRC-32
 * (Node >= 20.15 and 22.2), or undefined on an older Node. Browser bundles resolve the other half,
 * `native-crc32.browser.ts`, and never see `node:zlib`.
 *
 * ```ts
 * nativeCrc32?.(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
import * as zlib from 'node:zlib';
import type { Crc32Function } from './native-crc32.browser.js';

export type { Crc32Function };

const candidate = (zlib as { crc32?: unknown }).crc32;

export const nativeCrc32: Crc32Function | undefined =
  typeof candidate === 'function' ? (candidate as Crc32Function) : undefined;
