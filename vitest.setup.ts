// Every test runs on the tfjs cpu backend (DESIGN.md 3): deterministic and available everywhere.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

tf.enableProdMode();
await tf.setBackend('cpu');
await tf.ready();
