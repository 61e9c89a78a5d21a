/**
 * `LowbitQuantConvLayer`: what the quantized 2-D convolutions (`LowbitQuantConv2D`,
 * `LowbitQuantDepthwiseConv2D`) share beyond {@link LowbitQuantLayer}: their convolution
 * geometry, read from the tfjs layer they replace so defaults and validation match tfjs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from '../arithmetic.js';
import { LowbitQuantLayer } from './quant-layer.js';
import type { DataFormat } from './conv-utils.js';
import { checkLayerInput } from './check-input.js';

export abstract class LowbitQuantConvLayer extends LowbitQuantLayer {
  get kernelSize(): [number, number] {
    return this.ref<[number, number]>('kernelSize');
  }
  get strides(): [number, number] {
    return this.ref<[number, number]>('strides');
  }
  get padding(): 'valid' | 'same' {
    return this.ref<'valid' | 'same'>('padding');
  }
  get dataFormat(): DataFormat {
    return this.ref<DataFormat>('dataFormat');
  }
  get dilationRate(): [number, number] {
    return this.ref<[number, number]>('dilationRate');
  }

  protected override geometry(): ConvGeometry {
    return {
      strides: this.strides,
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate,
    };
  }

  protected checkInput(x: tf.Tensor): void {
    const channelAxis = this.dataFormat === 'channelsFirst' ? 1 : 3;
    checkLayerInput(this.name, x, { rank: 4, channelAxis, channels: this.kernel?.shape[2] ?? null });
  }
}
