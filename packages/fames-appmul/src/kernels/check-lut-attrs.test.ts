import { describe, expect, it } from 'vitest';
import { truncatedMultiplier } from '../families/truncated.js';
import { lutAttrsOf } from '../simulate/lut-codes.js';
import { expectConfigError as configError } from '../test/config-error.js';
import { checkLutAttrs } from './check-lut-attrs.js';

const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 2 });

describe('checkLutAttrs', () => {
  it("accepts a multiplier's attributes and the extra keys it is told of", () => {
    const attrs = lutAttrsOf(m);
    expect(checkLutAttrs('attrs', attrs)).toBe(attrs);
    expect(checkLutAttrs('attrs', { ...attrs, outH: 1 }, ['outH']).bitsA).toBe(4);
  });

  it('names the attribute that is wrong', () => {
    const attrs = lutAttrsOf(m);
    configError(() => checkLutAttrs('attrs', null), 'attrs');
    configError(() => checkLutAttrs('attrs', { ...attrs, strideH: 1 }), 'attrs.strideH');
    configError(() => checkLutAttrs('attrs', { ...attrs, bitsA: 13 }), 'attrs.bitsA');
    configError(() => checkLutAttrs('attrs', { ...attrs, bitsW: NaN }), 'attrs.bitsW');
    configError(() => checkLutAttrs('attrs', { ...attrs, table: Array.from(attrs.table) }), 'attrs.table');
    configError(() => checkLutAttrs('attrs', { ...attrs, table: new Int32Array(255) }), 'attrs.table');
    configError(() => checkLutAttrs('attrs', { ...attrs, aMin: 0.5 }), 'attrs.aMin');
    // 17 codes [0, 16] do not fit 4 bits: code 16 would share pattern 0's row.
    configError(() => checkLutAttrs('attrs', { ...attrs, aMax: 16 }), 'attrs.aMax');
    configError(() => checkLutAttrs('attrs', { ...attrs, wMax: -9 }), 'attrs.wMax');
  });
});
