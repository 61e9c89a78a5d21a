/**
 * The tfjs backend the CLI computes on: tfjs's own CPU backend (deterministic, no native
 * build), unless the process registered a higher-priority one (tfjs-node, say) before.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Resolves when a backend is initialized. */
export async function ensureBackend(): Promise<void> {
  await tf.ready();
}
