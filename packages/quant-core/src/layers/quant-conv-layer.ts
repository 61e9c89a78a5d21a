/**
 * `LowbitQuantConvLayer`: what the quantized 2-D convolutions (`LowbitQuantConv2D`,
 * `LowbitQuantDepthwiseConv2D`) share beyond {@link LowbitQuantLayer}: their convolution
 * geometry, read from the tfjs layer they replace so defaults and validation match tfjs.
 */
import { LowbitQuantLayer } from './quant-layer.js';
import type { DataFormat } from './conv-utils.js';

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
}
