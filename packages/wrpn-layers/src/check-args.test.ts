import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import {
  buildWrpnNet,
  checkNetSpec,
  lastWeightLayerIndex,
  lenetSpec,
  widenSpec,
  wrpnPolicy,
  wrpnQuantizerConfig,
} from './index.js';

const spec = {
  inputShape: [4, 4, 1],
  layers: [
    { type: 'flatten', name: 'f' },
    { type: 'dense', name: 'out', units: 2 },
  ],
};

describe('wrpn-layers rejects bad specs and options with typed errors', () => {
  it('net specs: shape, layer types, fields, unknown keys', () => {
    expect(checkNetSpec('spec', spec)).toBe(spec);
    expect(() => lastWeightLayerIndex(null as never)).toThrow(/spec = null/);
    expect(() => widenSpec({ ...spec, inputShape: [0, 4] } as never, 2)).toThrow(/spec.inputShape/);
    expect(() => checkNetSpec('spec', { ...spec, layers: [{ type: 'pool', name: 'p' }] })).toThrow(
      /spec.layers\[0\].type/,
    );
    expect(() => checkNetSpec('spec', { ...spec, layers: [{ type: 'dense', name: 'd', units: 2, unit: 3 }] })).toThrow(
      /spec.layers\[0\].unit/,
    );
    expect(() => checkNetSpec('spec', { ...spec, layers: [{ type: 'dense', name: 'd', units: 0 }] })).toThrow(
      /units = 0/,
    );
  });

  it('lenetSpec sizes, buildWrpnNet options, wrpnQuantizerConfig', () => {
    expect(() => lenetSpec(null as never)).toThrow(/sizes = null/);
    expect(() => lenetSpec({ fc1: 10 } as never)).toThrow(/sizes.fc1/);
    expect(() => lenetSpec({ inputShape: [28, 28, 1, 1] })).toThrow(/sizes.inputShape/);
    const policy = wrpnPolicy({ weightBits: 4, inputBits: 4 });
    expect(() => buildWrpnNet(spec as never, { policy, seeed: 1 } as never)).toThrow(/options.seeed/);
    expect(() => wrpnQuantizerConfig(Number.NaN, 'weight')).toThrow(/bits = NaN/);
    expect(() => wrpnQuantizerConfig(4, 'input' as never)).toThrow(LowbitConfigError);
  });
});
