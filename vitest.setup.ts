// Every test runs on the tfjs cpu backend (docs/architecture.md): deterministic and available everywhere.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs's gradients are registered by importing tfjs-layers (as @lowbit/quant-core does); tests of
// single ops need them too. Chained ops (x.sum()) are deliberately NOT registered: library code
// must use tf.sum(x).
import '@tensorflow/tfjs-layers';

tf.enableProdMode();
await tf.setBackend('cpu');
await tf.ready();
