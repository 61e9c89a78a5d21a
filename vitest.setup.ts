// Every test runs on the tfjs cpu backend (DESIGN.md 3): deterministic and available everywhere.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Gradients are registered by tfjs-layers and by @lowbit/quant-core; tests of ops alone need them too.
// Chained ops (x.sum()) are deliberately NOT registered: library code must use tf.sum(x).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

tf.enableProdMode();
await tf.setBackend('cpu');
await tf.ready();
