/**
 * Child process of the save kill test's full-path case, run with `node --import tsx`: loads models
 * A and B from two directories and saves B, A, B, ... into `dir` with the real `saveModel`
 * (tfjs LayersModel -> fileIO -> model-dir.ts), forever, until the parent kills it.
 *
 * argv: dir, directory of A, directory of B. Writes `ready` to stdout before the first save.
 */
import { writeSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel, saveModel } from './file-io.js';

const [dir, dirA, dirB] = process.argv.slice(2);
await tf.setBackend('cpu');
const a = await loadModel(dirA!);
const b = await loadModel(dirB!);
writeSync(1, 'ready\n');
for (let i = 0; ; i++) await saveModel(i % 2 === 0 ? b : a, dir!);
