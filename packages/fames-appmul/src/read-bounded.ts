/**
 * Reading a data file whose size is known before it is read (Node only): the path is `stat`ed
 * first and must be a regular file (a FIFO, a device such as `/dev/zero`, a socket or a folder is
 * rejected before anything is opened, so nothing waits for a writer or reads forever); its size
 * is checked against what the format allows; then at most that many bytes are read, from a handle
 * opened non-blocking and checked again (the path may have been replaced in between).
 *
 * ```ts
 * const bytes = await readBoundedFile('my_mul.bin', { exactBytes: lutByteLength(options) }); // a LUT
 * const json = await readBoundedFile('multipliers.json', { maxBytes: 4 << 20 });           // at most 4 MiB
 * ```
 */
import type { Stats } from 'node:fs';
import { LowbitConfigError, LowbitDataError, checkInteger, checkKnownKeys } from '@lowbit/quant-core';

/** How large the file may be: exactly `exactBytes`, or at most `maxBytes`. */
export type FileSizeRule = { exactBytes: number } | { maxBytes: number };

/** Largest file the loaders read at all (an 8x8 LUT of 4-byte products is 256 KiB). */
export const MAX_READ_BYTES = 2 ** 30;

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function checkRule(rule: FileSizeRule): { exact: boolean; limit: number } {
  if (rule === null || typeof rule !== 'object')
    throw new LowbitConfigError('rule', rule, 'expected { exactBytes } or { maxBytes }');
  checkKnownKeys('rule', rule, ['exactBytes', 'maxBytes']);
  if ('exactBytes' in rule === 'maxBytes' in rule)
    throw new LowbitConfigError('rule', rule, 'expected exactly one of exactBytes, maxBytes');
  if ('exactBytes' in rule)
    return { exact: true, limit: checkInteger('exactBytes', rule.exactBytes, 0, MAX_READ_BYTES) };
  return { exact: false, limit: checkInteger('maxBytes', rule.maxBytes, 0, MAX_READ_BYTES) };
}

/** Throws a LowbitDataError naming `path` unless a file of `size` bytes obeys the rule. */
function checkSize(path: string, size: number, exact: boolean, limit: number, what: string): void {
  if (exact && size < limit)
    throw new LowbitDataError(path, `holds ${size} bytes, expected ${limit} bytes for ${what}: the file is truncated`);
  if (size > limit) {
    const expected = exact ? `expected ${limit} bytes` : `at most ${limit} bytes are allowed`;
    throw new LowbitDataError(path, `holds ${size} bytes, ${expected} for ${what}: the file is oversize`);
  }
}

/**
 * The bytes of the regular file `path`, after checking its size against `rule`; `what` says what
 * the file should hold (in errors). A LowbitDataError naming the path for anything else.
 */
export async function readBoundedFile(path: string, rule: FileSizeRule, what = 'this format'): Promise<Uint8Array> {
  if (typeof path !== 'string' || path.length === 0) throw new LowbitConfigError('path', path, 'expected a file path');
  const { exact, limit } = checkRule(rule);
  const { constants } = await import('node:fs');
  const { open, stat } = await import('node:fs/promises');
  let before: Stats;
  try {
    before = await stat(path);
  } catch (e) {
    throw new LowbitDataError(path, `cannot read: ${(e as Error).message}`);
  }
  if (!before.isFile()) throw new LowbitDataError(path, `is ${kindOf(before)}, expected a regular file of ${what}`);
  checkSize(path, before.size, exact, limit, what);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking: if the path became a FIFO since the stat, open returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new LowbitDataError(path, `cannot open: ${(e as Error).message}`);
  }
  try {
    const now = await handle.stat();
    if (!now.isFile()) throw new LowbitDataError(path, `is ${kindOf(now)}, expected a regular file of ${what}`);
    checkSize(path, now.size, exact, limit, what);
    // One byte more than allowed, to notice a file that grew after the stat.
    const buffer = new Uint8Array(now.size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled !== now.size)
      throw new LowbitDataError(path, `changed size while being read (${now.size} bytes, then ${filled})`);
    return buffer.subarray(0, filled);
  } catch (e) {
    if (e instanceof LowbitDataError) throw e;
    throw new LowbitDataError(path, `cannot read: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}
