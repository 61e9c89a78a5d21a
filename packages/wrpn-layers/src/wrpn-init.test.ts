import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { LowbitWrpnUniform, wrpnUniformLimit } from './wrpn-init.js';
import { wrpnDense } from './wrpn-layers.js';

describe('LowbitWrpnUniform', () => {
  it('widens Glorot to 1.5 grid steps where Glorot would round to 0, and keeps Glorot where it is wider', () => {
    // 64C5 on 32 channels: fans 800 / 1600, Glorot 0.05; 4-bit steps 1/7.
    expect(wrpnUniformLimit([5, 5, 32, 64], 4)).toBeCloseTo(1.5 / 7, 12);
    // 8-bit class outputs 512 -> 10: Glorot sqrt(6 / 522) = 0.107 > 1.5 / 127.
    expect(wrpnUniformLimit([512, 10], 8)).toBeCloseTo(Math.sqrt(6 / 522), 12);
    // Ternary: 1.5 steps would be 1.5; the WRPN range is [-1, 1].
    expect(wrpnUniformLimit([512, 10], 2)).toBe(1);
    // 1 bit (sign times mean |w|) has no zero level: Glorot.
    expect(wrpnUniformLimit([5, 5, 32, 64], 1)).toBeCloseTo(0.05, 12);
  });

  it('draws U(-L, L), the same tensor for the same seed', () => {
    const init = new LowbitWrpnUniform({ bits: 4, seed: 3 });
    const a = init.apply([5, 5, 32, 64]);
    const b = new LowbitWrpnUniform({ bits: 4, seed: 3 }).apply([5, 5, 32, 64]);
    const [lo, hi] = [tf.min(a).dataSync()[0], tf.max(a).dataSync()[0]];
    expect(lo).toBeGreaterThanOrEqual(-1.5 / 7);
    expect(hi).toBeLessThanOrEqual(1.5 / 7);
    expect(lo).toBeLessThan(-0.2);
    expect(hi).toBeGreaterThan(0.2);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
  });

  it('saves and loads with its layer (no custom objects)', async () => {
    const model = tfl.sequential({ layers: [wrpnDense({ inputShape: [4], units: 3, weightBits: 3, name: 'd' })] });
    const copy = await tfl.models.modelFromJSON(model.toJSON(null, false) as never);
    expect(copy.getLayer('d').getConfig().kernelInitializer).toEqual({
      className: 'LowbitWrpnUniform',
      config: { bits: 3 },
    });
    model.dispose();
    copy.dispose();
  });

  it('rejects bad configs and shapes with typed errors', () => {
    expect(() => new LowbitWrpnUniform({ bits: 0 })).toThrow(LowbitConfigError);
    expect(() => new LowbitWrpnUniform({ bits: 4, seed: -1 })).toThrow(/seed/);
    expect(() => new LowbitWrpnUniform({ bits: 4, scale: 2 } as never)).toThrow(/scale/);
    expect(() => new LowbitWrpnUniform(null as never)).toThrow(LowbitConfigError);
    expect(() => new LowbitWrpnUniform({ bits: 4 }).apply([10])).toThrow(/kernel shape/);
    expect(() => new LowbitWrpnUniform({ bits: 4 }).apply([2, 2], 'int32')).toThrow(/float32/);
  });
});
