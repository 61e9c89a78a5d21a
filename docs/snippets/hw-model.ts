// docs/guides/hw-model.md: cost a model without running it.
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { LowbitWrpnQuantizer, quantDense } from '@lowbit/quant-core';
import { compareTotals, formatSummary, printSummary, summary, summaryToMarkdown } from '@lowbit/hw-model';

const build = (bits: number | null) =>
  tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [28, 28, 1] }),
      bits === null
        ? tfl.layers.dense({ units: 300, activation: 'relu' })
        : quantDense({
            units: 300,
            activation: 'relu',
            kernelQuantizer: new LowbitWrpnQuantizer({ bits }),
            inputQuantizer: new LowbitWrpnQuantizer({ bits, mode: 'activation' }),
          }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });

const float = build(null);
const fourBit = build(4);
export const s = summary(fourBit, { batchSize: 1 }); // no tensors are created: the model is not run
console.log(formatSummary(s));
export const hiddenMacs = s.layers[1].macs; // 784 x 300 = 235,200
export const ratio = compareTotals(s.totals, summary(float, { batchSize: 1 }).totals);
console.log(`4-bit hidden layer vs float: energy ${ratio.energyPj?.toFixed(3)}x, bit-ops ${ratio.bitOps?.toFixed(3)}x`);
export const markdown = summaryToMarkdown(s); // for reports
// Larq-style table: precision of weight/input/output, params per width, MACs per precision, ratio to float32.
export const larq = printSummary(fourBit); // prints with console.log and returns the text
float.dispose();
fourBit.dispose();
