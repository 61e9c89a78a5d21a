/**
 * The `lowbit` executable's entry point (bin/lowbit.js runs this file): runs one command line
 * and exits with its code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runCli } from './program.js';

// Production mode: no debug checks, and no "install tfjs-node" notice on stderr from the cpu backend.
tf.enableProdMode();
process.exitCode = await runCli(process.argv.slice(2));
