// docs/guides/wrpn.md: a 2x-wide LeNet with 4-bit weights and activations.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { summary } from '@lowbit/hw-model';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';

// Small sizes keep this snippet fast; the defaults are the classic 32-64-512 LeNet.
const sizes = { conv1: 4, conv2: 8, fc: 32 };
const policy = wrpnPolicy({ weightBits: 4, inputBits: 4 }); // first conv / last dense: 8 bits
const narrow = buildWrpnLenet({ ...sizes, width: 1, policy, seed: 1 });
const wide = buildWrpnLenet({ ...sizes, width: 2, policy, seed: 1 });
const fp32 = buildWrpnLenet({ ...sizes, width: 1, policy: wrpnPolicy({ weightBits: 32, inputBits: 32 }), seed: 1 });

wide.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.randomUniform([16], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
const history = await wide.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
export const loss = Number(history.history.loss[0]);

// Widening multiplies MACs; low precision divides bit-ops: compare with the float net.
const bitOpsOf = (m: typeof wide) => summary(m).totals.bitOps;
export const bitOps = { fp32: bitOpsOf(fp32), w4a4: bitOpsOf(narrow), w4a4x2: bitOpsOf(wide) };
console.log(bitOps);
tf.dispose([x, y]);
[narrow, wide, fp32].forEach((m) => m.dispose());
