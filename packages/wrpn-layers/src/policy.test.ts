import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { wrpnPolicy } from './policy.js';

describe('wrpnPolicy', () => {
  it('keeps the first and last layers at 8 bits by default', () => {
    const p = wrpnPolicy({ weightBits: 2, inputBits: 4 });
    expect(p.bitsFor('conv1', 'first')).toEqual({ weightBits: 8, inputBits: 8 });
    expect(p.bitsFor('conv2', 'inner')).toEqual({ weightBits: 2, inputBits: 4 });
    expect(p.bitsFor('logits', 'last')).toEqual({ weightBits: 8, inputBits: 8 });
    expect(p.label()).toBe('w2a4 (first/last 8-bit)');
  });

  it('applies overrides by layer name after the first/last rule', () => {
    const p = wrpnPolicy({
      weightBits: 4,
      inputBits: 4,
      firstLastBits: 32,
      overrides: { logits: 6, fc1: { weightBits: 3 } },
    });
    expect(p.bitsFor('conv1', 'first')).toEqual({ weightBits: 32, inputBits: 32 });
    expect(p.bitsFor('logits', 'last')).toEqual({ weightBits: 6, inputBits: 6 });
    expect(p.bitsFor('fc1', 'inner')).toEqual({ weightBits: 3, inputBits: 4 });
  });

  it('treats first/last as inner layers with firstLastBits null, and never lowers a float baseline', () => {
    expect(wrpnPolicy({ weightBits: 2, inputBits: 2, firstLastBits: null }).bitsFor('c', 'first')).toEqual({
      weightBits: 2,
      inputBits: 2,
    });
    const fp = wrpnPolicy({ weightBits: 32, inputBits: 32 });
    expect(fp.bitsFor('c', 'first')).toEqual({ weightBits: 32, inputBits: 32 });
    expect(fp.label()).toBe('fp32');
  });

  it('rejects bad bit widths and options', () => {
    expect(() => wrpnPolicy({ weightBits: 0, inputBits: 4 })).toThrow(LowbitConfigError);
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 17 })).toThrow(/inputBits = 17/);
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 4, firstLastBits: 8.5 })).toThrow(/firstLastBits = 8.5/);
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 4, overrides: { fc1: 40 } })).toThrow(/overrides.fc1 = 40/);
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 4, overrides: { fc1: { wBits: 3 } as never } })).toThrow(
      /overrides.fc1.wBits/,
    );
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 4, extra: 1 } as never)).toThrow(/wrpnPolicy.extra/);
  });

  it("names the new option when given the previous release's activationBits", () => {
    expect(() => wrpnPolicy({ weightBits: 4, activationBits: 4 } as never)).toThrow(
      /activationBits = 4 is invalid: the option is called inputBits/,
    );
    const overrides = { fc1: { activationBits: 8 } } as never;
    expect(() => wrpnPolicy({ weightBits: 4, inputBits: 4, overrides })).toThrow(/overrides.fc1.activationBits/);
  });
});
