import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { isTfjsInitializer, LowbitInitializer } from './kernel-initializer.js';

class ConstantCodeInit extends LowbitInitializer {
  static readonly className = 'TestConstantCodeInit';
  readonly code: number;
  constructor(config: { code: number }) {
    super();
    this.code = config.code;
  }
  apply(shape: number[]): tf.Tensor {
    return tf.fill(shape, this.code / 8);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { code: this.code };
  }
}
tf.serialization.registerClass(ConstantCodeInit);

describe('LowbitInitializer', () => {
  it('is a tfjs initializer a layer accepts, and round-trips through a saved config', async () => {
    const init = new ConstantCodeInit({ code: 3 });
    expect(isTfjsInitializer(init)).toBe(true);
    expect(isTfjsInitializer(tfl.initializers.glorotUniform({}))).toBe(true);
    expect(isTfjsInitializer({ apply: () => null })).toBe(false);
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [2], units: 2, kernelInitializer: init })],
    });
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual([0.375, 0.375, 0.375, 0.375]);
    // tfjs's deserializer passes customObjects in the config: fromConfig must drop it.
    const copy = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as never);
    const layerInit = (copy.layers[0] as unknown as { kernelInitializer: ConstantCodeInit }).kernelInitializer;
    expect(layerInit).toBeInstanceOf(ConstantCodeInit);
    expect(layerInit.getConfig()).toEqual({ code: 3 });
    model.dispose();
    copy.dispose();
  });
});
