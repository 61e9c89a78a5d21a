import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

describe('createProgress (plain lines, not a terminal)', () => {
  it('logs epoch, batch, loss and ETA a few times per epoch, and each epoch end', () => {
    const lines: string[] = [];
    const progress = createProgress({ bars: false, write: (l) => lines.push(l), linesPerEpoch: 2 });
    const run = progress.start('wrpn', { epochs: 2, batchesPerEpoch: 10 });
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let batch = 1; batch <= 10; batch++) run.update({ epoch, batch, loss: 1 / batch });
      run.epochEnd(epoch, 0.5, 0.75);
    }
    run.stop();
    expect(lines[0]).toMatch(/wrpn: training, 2 epoch\(s\) x 10 batches/);
    const batchLines = lines.filter((l) => / batch \d+\/10 /.test(l));
    // every 5th batch except the last of an epoch (the epoch line covers it): batch 5 of each epoch
    expect(batchLines).toHaveLength(2);
    expect(batchLines[0]).toMatch(/epoch 1\/2 batch 5\/10 loss 0\.2000 ETA \d+ s/);
    expect(batchLines[1]).toMatch(/epoch 2\/2 batch 5\/10 loss 0\.2000/);
    expect(lines.filter((l) => /epoch \d\/2 done, loss 0\.5000, train accuracy 75\.00%/.test(l))).toHaveLength(2);
  });
});
