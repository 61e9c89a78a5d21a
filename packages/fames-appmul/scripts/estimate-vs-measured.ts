/**
 * How well the counting-matrix estimate ranks multipliers: a small 2-layer MLP of `appMulDense`
 * layers (WRPN activations and weights of `--bits` bits, random weights, labels = the exact net's
 * own predictions with a fraction `--noise` replaced by random labels), every library multiplier in
 * each layer in turn: estimated loss change vs measured, Spearman rank correlation per layer.
 * Run: `npm run estimate-vs-measured -w packages/fames-appmul -- --bits 8 --noise 0.1`
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { appMulDense, appMulLibrary, countingMatricesOf, estimateLossTerms, setMultiplier } from '../src/index.js';
import { spearman } from '@lowbit/quant-core';

tf.enableProdMode();
await tf.setBackend('cpu');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const bits = arg('bits', 8);
const noise = arg('noise', 0.1);
const actQ = { className: 'LowbitWrpnQuantizer', config: { bits, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits } };
const l1 = appMulDense({
  units: 32,
  inputShape: [64],
  inputQuantizer: actQ,
  kernelQuantizer: wQ,
  kernelInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 1 }),
});
const l2 = appMulDense({
  units: 10,
  inputQuantizer: actQ,
  kernelQuantizer: wQ,
  kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
});
const model = tfl.sequential({ layers: [l1, l2] });
const x = tf.randomUniform([256, 64], 0, 1, 'float32', 3);
const own = tf.argMax(model.predict(x) as tf.Tensor, 1);
const random = tf.randomUniformInt([256], 0, 10, 4);
const labels = tf.oneHot(
  tf.where(tf.less(tf.range(0, 256), Math.round(256 * (1 - noise))), own, random) as tf.Tensor1D,
  10,
);
const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
const lossNow = () => tf.tidy(() => loss(model.predict(x) as tf.Tensor).dataSync()[0]);

const t0 = performance.now();
const counting = countingMatricesOf(model, x, loss);
const countingMs = performance.now() - t0;
const base = lossNow();

let estimateMs = 0;
for (const { layer, counting: G } of counting) {
  const lib = appMulLibrary(G).slice(1);
  const est: number[] = [];
  const first: number[] = [];
  const meas: number[] = [];
  for (const m of lib) {
    const t = performance.now();
    const terms = estimateLossTerms(G, m);
    est.push(terms.firstOrder + terms.secondOrder);
    first.push(terms.firstOrder);
    estimateMs += performance.now() - t;
    setMultiplier(layer, m);
    meas.push(lossNow() - base);
    setMultiplier(layer, null);
  }
  console.log(
    `${layer.name}: ${lib.length} multipliers, Spearman(estimate, measured) = ${spearman(est, meas).toFixed(3)} ` +
      `(first order alone ${spearman(first, meas).toFixed(3)})`,
  );
  const small = lib.map((_, i) => i).filter((i) => lib[i].metrics().maePercent < 0.5);
  const rhoSmall = (e: number[]) =>
    spearman(
      small.map((i) => e[i]),
      small.map((i) => meas[i]),
    ).toFixed(3);
  console.log(
    `  designs with MAE < 0.5%: ${small.length}, Spearman = ${rhoSmall(est)} (first order alone ${rhoSmall(first)})`,
  );
  if (process.argv.includes('--list'))
    lib.forEach((m, i) =>
      console.log(
        `  ${m.name.padEnd(22)} estimate ${est[i].toExponential(2).padStart(9)}  ` +
          `first order ${first[i].toExponential(2).padStart(9)}  measured ${meas[i].toExponential(2).padStart(9)}`,
      ),
    );
}
console.log(
  `counting matrices: ${countingMs.toFixed(0)} ms for ${counting.length} layers; ` +
    `all estimates: ${estimateMs.toFixed(1)} ms`,
);
