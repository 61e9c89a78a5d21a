import { summary } from '@lowbit/hw-model';
import { describe, expect, it } from 'vitest';
import { buildWrpnLenet } from './build-net.js';
import { wrpnPolicy } from './policy.js';

// The cost side of WRPN: hw-model reads each layer's lowbitPrecision(), so bit-ops follow the policy.
describe('hw-model summary of WRPN networks', () => {
  const sizes = { conv1: 4, conv2: 8, fc: 16, classes: 10 };

  it('reports each weight layer at the policy bit widths', () => {
    const s = summary(buildWrpnLenet({ ...sizes, width: 2, policy: wrpnPolicy({ weightBits: 2, inputBits: 4 }) }));
    const weightRows = s.layers.filter(
      (r) => r.className === 'LowbitQuantConv2D' || r.className === 'LowbitQuantDense',
    );
    const rows = Object.fromEntries(weightRows.map((r) => [r.name, [r.weight!.bits, r.input!.bits]]));
    expect(rows).toEqual({ conv1: [8, 8], conv2: [2, 4], fc1: [2, 4], logits: [8, 8] });
    // The WRPN activations store unsigned codes at the next layer's input bits.
    const acts = s.layers
      .filter((r) => r.name.endsWith('_wrpn_act'))
      .map((r) => [r.name, r.output.kind, r.output.bits]);
    expect(acts).toEqual([
      ['conv1_wrpn_act', 'int', 4],
      ['conv2_wrpn_act', 'int', 4],
      ['fc1_wrpn_act', 'int', 8],
    ]);
    const conv2 = s.layers.find((r) => r.name === 'conv2')!;
    expect(conv2.bitOps).toBe(conv2.macs * 2 * 4);
  });

  it('bit-ops grow with width squared in the inner layers; 2x at 4 bits stays below float 1x', () => {
    const fp1 = summary(buildWrpnLenet({ ...sizes, width: 1, policy: wrpnPolicy({ weightBits: 32, inputBits: 32 }) }));
    const w4x1 = summary(buildWrpnLenet({ ...sizes, width: 1, policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }) }));
    const w4x2 = summary(buildWrpnLenet({ ...sizes, width: 2, policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }) }));
    const macs = (s: typeof fp1, name: string) => s.layers.find((r) => r.name === name)!.macs;
    expect(macs(w4x2, 'conv2')).toBe(4 * macs(w4x1, 'conv2'));
    expect(macs(w4x2, 'conv1')).toBe(2 * macs(w4x1, 'conv1'));
    expect(w4x2.totals.bitOps).toBeLessThan(fp1.totals.bitOps);
    expect(w4x1.totals.paramBits).toBeLessThan(fp1.totals.paramBits);
  });
});
