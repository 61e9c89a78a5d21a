import { describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { parseIdx } from './idx.js';
import { idxBytes } from './test-fixtures.js';

describe('parseIdx', () => {
  it('reads dims and data of a valid file', () => {
    const bytes = idxBytes([2, 3], [1, 2, 3, 4, 5, 255]);
    const { dims, data } = parseIdx(bytes, 'x', 2);
    expect(dims).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('reads dimension sizes as big-endian uint32', () => {
    const bytes = idxBytes([300], new Array(300).fill(9));
    expect(parseIdx(bytes, 'x', 1).dims).toEqual([300]);
  });

  const valid = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /shorter than its 4-byte magic/],
    ['bad magic', Uint8Array.from([1, 0, 8, 2, ...valid.subarray(4)]), /not an IDX file/],
    ['non-ubyte type', Uint8Array.from([0, 0, 0x0d, 2, ...valid.subarray(4)]), /data type 0xd is not supported/],
    ['wrong rank', idxBytes([6], [1, 2, 3, 4, 5, 6]), /has 1 dimensions, expected 2/],
    ['truncated header', valid.subarray(0, 9), /header truncated/],
    ['truncated data', valid.subarray(0, valid.length - 1), /truncated: header \[2, 3\] needs 6 bytes, file has 5/],
    ['trailing bytes', Uint8Array.from([...valid, 0]), /has trailing bytes/],
    ['huge header dims', idxBytes([0xffffffff, 0xffffffff], [1]), /needs .* bytes, file has 1/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects a ${name} with LowbitDataError`, () => {
      expect(() => parseIdx(bytes, 'file.idx', 2)).toThrow(LowbitDataError);
      expect(() => parseIdx(bytes, 'file.idx', 2)).toThrow(message);
      expect(() => parseIdx(bytes, 'file.idx', 2)).toThrow(/^file\.idx: /);
    });
  }
});
