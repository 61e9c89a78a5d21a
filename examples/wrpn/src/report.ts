/**
 * The WRPN results page: claims decided from the per-image correctness of every arm (paired
 * bootstrap over test images and seeds, `@lowbit/experiment-kit`), accuracy mean ± sd per arm,
 * same-width gaps, bit-ops against fp32 1x and w8a8 1x, the float baseline's learning curve and
 * the plateau check. Writes `<out>.md` and `<out>.json`.
 *
 * ```ts
 * writeReport('docs/results/wrpn', { settings, backend, command, startedAt, seconds, results });
 * ```
 */
import { claim, concatSeeds, formatSpread, mdTable, spread, writeResult, type Claim } from '@lowbit/experiment-kit';
import { decodeCorrect, type ArmResult } from './arms.js';
import { parseSettings, type GridSettings } from './settings.js';

export interface ReportInput {
  settings: GridSettings;
  backend: string;
  command: string;
  startedAt: Date;
  /** Wall time of the command (a resumed run: of the last invocation). */
  seconds: number;
  results: ArmResult[];
}

const pct = (v: number) => (100 * v).toFixed(2);
const signed = (v: number, d = 2) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;

export function writeReport(out: string, input: ReportInput): void {
  const { settings: s, results } = input;
  const grid = results.filter((r) => r.kind === 'grid');
  const n = grid[0].testImages;
  const odd = results.find((r) => r.testImages !== n);
  if (odd) throw new Error(`arm ${odd.id} was tested on ${odd.testImages} images, ${grid[0].id} on ${n}`);
  const arm = (config: string, width: number, seed: number) => {
    const r = grid.find((a) => a.config === config && a.width === width && a.seed === seed);
    if (!r) throw new Error(`missing arm ${config} x${width} seed ${seed}`);
    return r;
  };
  const perSeed = (config: string, width: number) => s.seeds.map((seed) => arm(config, width, seed));
  const accs = (config: string, width: number) => perSeed(config, width).map((r) => 100 * r.accuracy);
  const vector = (config: string, width: number) =>
    concatSeeds(perSeed(config, width).map((r) => decodeCorrect(r.correct, n)));
  const lowConfigs = s.configs.filter((c) => c !== 'fp32');
  const seeds = s.seeds.length;
  const widthLabel = (w: number) => `${w}x`;

  // Claims: computed, never written by hand.
  const claims: Claim[] = [];
  for (const c of lowConfigs) {
    for (let i = 0; i + 1 < s.widths.length; i++) {
      const [wa, wb] = [s.widths[i], s.widths[i + 1]];
      claims.push(
        claim(`${c}: the same-width gap to fp32 shrinks from ${wa}x to ${wb}x`, {
          vectors: [vector('fp32', wa), vector(c, wa), vector('fp32', wb), vector(c, wb)],
          statistic: ([f1, q1, f2, q2]) => f1 - q1 - (f2 - q2),
          describe: `(fp32 ${wa}x - ${c} ${wa}x) - (fp32 ${wb}x - ${c} ${wb}x), points`,
          seeds,
        }),
      );
    }
  }
  for (const c of lowConfigs) {
    for (const w of s.widths.filter((x) => x > 1)) {
      claims.push(
        claim(`${c} ${w}x reaches fp32 1x within 0.5 point`, {
          vectors: [vector(c, w), vector('fp32', 1)],
          statistic: ([q, f]) => q - f,
          describe: `accuracy(${c} ${w}x) - accuracy(fp32 1x), points`,
          threshold: -0.5,
          seeds,
        }),
      );
    }
  }

  const sections: { heading: string; markdown: string }[] = [];
  const plateau = results.find((r) => r.kind === 'plateau');
  sections.push({
    heading: 'Set-up',
    markdown: [
      'Wide reduced-precision networks (Mishra et al., ICLR 2018): lower the precision of weights and activations and',
      'recover accuracy by widening. Every arm is the same LeNet-like net from `buildWrpnLenet` ' +
        `(width 1: ${s.conv1}C5 - BN - act - MP2 - ${s.conv2}C5 - BN - act - MP2 - ${s.fc}FC - BN - act - 10FC - softmax; ` +
        'act = WRPN clip-and-quantize, ReLU for fp32), widened by 1x/2x' +
        (s.widths.includes(3) ? '/3x' : '') +
        ' (filters and units times the width; input and class outputs unchanged). `wNaM` = N-bit weights and M-bit ' +
        'input activations of the inner layers (WRPN quantizers); the first conv and the last dense stay at 8 bits ' +
        '(`wrpnPolicy` default). fp32 is trained at every width: the same-width reference.',
      '',
      `- Data: Fashion-MNIST (\`@lowbit/datasets\`), ${s.train ? `${s.train} training images` : 'the full training split (59,945 images)'}, ` +
        `${s.test ? `${s.test} test images` : 'the full 10,000-image test split'}; pixels / 255.`,
      `- Budget, the same for every arm: ${s.epochs} epoch(s), batch ${s.batch}, Adam, learning rate ${s.lr} times ` +
        `${s.lrDrop} every ${s.lrDropEvery} epoch(s) (\`stepSchedule\`), seeded data order (\`fitSeeded\`: ` +
        `the same order for every arm of a seed), initialisers seeded with the same seed. Seeds: ${s.seeds.join(', ')}.`,
      '- Bit-ops per image (`MACs x b_w x b_a`, batch 1) and weight memory: `@lowbit/hw-model` `summary(model)`.',
      `- Statistics: accuracies are mean ± sample sd over the ${seeds} seeds; each claim is a paired bootstrap ` +
        '(2,000 resamples) over test images and seeds (the same image draw for every arm), McNemar p for two-arm claims ' +
        'on the seed-concatenated vectors.',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  });

  // Accuracy table.
  sections.push({
    heading: `Test accuracy (%), mean ± sd over ${seeds} seeds`,
    markdown: mdTable(
      ['config', ...s.widths.map(widthLabel)],
      s.configs.map((c) => [c, ...s.widths.map((w) => formatSpread(spread(accs(c, w))))]),
    ),
  });

  // Same-width gaps, paired per seed.
  const gapRows = lowConfigs.map((c) => [
    c,
    ...s.widths.map((w) => {
      const fp = accs('fp32', w);
      return formatSpread(spread(accs(c, w).map((q, k) => fp[k] - q)));
    }),
  ]);
  sections.push({
    heading: 'Same-width gap to fp32 (points; fp32 minus config, paired per seed, mean ± sd)',
    markdown: mdTable(['config', ...s.widths.map(widthLabel)], gapRows),
  });

  // Costs.
  const fp1 = arm('fp32', 1, s.seeds[0]);
  const w81 = s.configs.includes('w8a8') ? arm('w8a8', 1, s.seeds[0]) : null;
  const costRows: (string | number)[][] = [];
  for (const c of s.configs) {
    for (const w of s.widths) {
      const r = arm(c, w, s.seeds[0]);
      const acc = spread(accs(c, w));
      costRows.push([
        `${c} ${w}x`,
        formatSpread(acc),
        signed(acc.mean - spread(accs('fp32', 1)).mean),
        (r.bitOps / 1e6).toFixed(1),
        (r.bitOps / fp1.bitOps).toFixed(3),
        w81 ? (r.bitOps / w81.bitOps).toFixed(2) : '-',
        (r.weightBits / 8192).toFixed(1),
      ]);
    }
  }
  sections.push({
    heading: 'Accuracy against cost',
    markdown:
      mdTable(
        [
          'arm',
          'accuracy %',
          'vs fp32 1x (points)',
          'bit-ops / image (M)',
          'bit-ops / fp32 1x',
          'bit-ops / w8a8 1x',
          'weights KiB',
        ],
        costRows,
      ) +
      '\n\nBit-ops against w8a8 1x as well as fp32 1x: fp32 bit-ops count 32 x 32-bit products, so every ' +
      'quantized net looks cheap next to it; w8a8 1x is the usual integer deployment baseline. Weight memory counts ' +
      'quantized kernels at their bits and biases and batch-norm parameters at 32 bits.',
  });

  // Float baseline curves and the plateau check.
  const curveRows: (string | number)[][] = [];
  for (const r of perSeed('fp32', 1)) {
    for (const row of r.curve) {
      curveRows.push([
        r.seed,
        row.epoch,
        row.learningRate.toPrecision(2),
        row.loss.toFixed(4),
        row.testAccuracy === undefined ? '-' : pct(row.testAccuracy),
      ]);
    }
  }
  let plateauText = '';
  if (plateau) {
    const same = arm('fp32', 1, plateau.seed);
    plateauText =
      `\n\nPlateau check: fp32 1x at seed ${plateau.seed} trained for ${plateau.epochs} epochs (the schedule stretched: ` +
      `drop every ${plateau.lrDropEvery} epochs) reaches ${pct(plateau.accuracy)}%, against ${pct(same.accuracy)}% ` +
      `with the experiment's ${same.epochs}-epoch budget (${signed(100 * (plateau.accuracy - same.accuracy))} points; ` +
      `the sd over seeds of fp32 1x is ${spread(accs('fp32', 1)).sd.toFixed(2)}). Its curve: ` +
      plateau.curve
        .map((row) => `epoch ${row.epoch} (lr ${row.learningRate.toPrecision(2)}): ${pct(row.testAccuracy ?? NaN)}%`)
        .join(', ') +
      '.';
  }
  sections.push({
    heading: 'Float baseline (fp32 1x): learning curve and schedule',
    markdown: mdTable(['seed', 'epoch', 'learning rate', 'train loss', 'test accuracy %'], curveRows) + plateauText,
  });

  // Per-seed accuracies and time.
  sections.push({
    heading: 'Per seed: test accuracy (%) and training time',
    markdown:
      mdTable(
        ['arm', ...s.seeds.map((k) => `seed ${k}`), 'wall s / seed (mean)', 'CPU s / seed (mean)'],
        s.configs.flatMap((c) =>
          s.widths.map((w) => {
            const rs = perSeed(c, w);
            return [
              `${c} ${w}x`,
              ...rs.map((r) => pct(r.accuracy)),
              spread(rs.map((r) => r.trainSeconds)).mean.toFixed(0),
              spread(rs.map((r) => r.cpuSeconds)).mean.toFixed(0),
            ];
          }),
        ),
      ) +
      `\n\nTimes include testing (fp32 arms: after every epoch; the others: once). Sum over arms: ${(results.reduce((a, r) => a + r.trainSeconds, 0) / 60).toFixed(1)} min wall, ` +
      `${(results.reduce((a, r) => a + r.cpuSeconds, 0) / 60).toFixed(1)} min CPU (the arms run in ${s.jobs} worker process(es) side by side; ` +
      'on a machine shared with other jobs wall time exceeds CPU time).',
  });

  // What the page can and cannot show, from the settings and the plateau check.
  const defaults = parseSettings([]);
  const reduced = (
    [
      ['training images', s.train || 'all', defaults.train || 'all'],
      ['test images', s.test || 'all', defaults.test || 'all'],
      ['epochs', s.epochs, defaults.epochs],
      ['seeds', s.seeds.length, defaults.seeds.length],
    ] as const
  ).filter(([, given, usual]) => given !== usual);
  const intro: string[] = [];
  if (s.quick) intro.push('**Quick mode**: a smoke test of the pipeline, not a result.');
  else if (reduced.length > 0) {
    intro.push(
      `**Reduced setting**: ${reduced.map(([what, given, usual]) => `${what} ${given} (default ${usual})`).join(', ')}. ` +
        'The verdicts hold for this budget only.',
    );
  }
  if (plateau) {
    const same = arm('fp32', 1, plateau.seed);
    const gain = 100 * (plateau.accuracy - same.accuracy);
    intro.push(
      gain > 0.5
        ? `**Not at a plateau**: twice the epochs add ${signed(gain)} points to fp32 1x (plateau check below), so every arm is ` +
            'undertrained and the gaps may change with a longer budget.'
        : `Plateau check: twice the epochs change fp32 1x by ${signed(gain)} points (within 0.5 point).`,
    );
  }

  writeResult(out, {
    title: 'WRPN on Fashion-MNIST: width against precision',
    intro: intro.join('\n\n'),
    command: input.command,
    settings: s,
    backend: input.backend,
    startedAt: input.startedAt,
    seconds: input.seconds,
    sections,
    claims,
    data: { arms: results },
  });
}
