/**
 * Turns the grid results into docs/results/wrpn.md (tables + settings) and .json.
 */
import type { GridSettings } from './settings.js';

export interface CellResult {
  config: string;
  width: number;
  policy: string;
  testAccuracy: number;
  finalTrainLoss: number;
  /** Per image (batch 1), from @lowbit/hw-model's summary. */
  bitOps: number;
  macs: number;
  /** All parameters (quantized kernels at their bits; biases and batch-norm at 32), bits. */
  weightBits: number;
  params: number;
  paramsByBits: Record<number, number>;
  trainSeconds: number;
}

export interface ReportInput {
  settings: GridSettings;
  backend: string;
  command: string;
  date: string;
  totalSeconds: number;
  results: CellResult[];
}

const pct = (v: number) => (100 * v).toFixed(2);

export function writeReport(input: ReportInput): { markdown: string; json: string } {
  const { settings: s, results } = input;
  const cell = (config: string, width: number) => results.find((r) => r.config === config && r.width === width);
  const configs = [...new Set(results.map((r) => r.config))];
  const widths = [...new Set(results.map((r) => r.width))].sort((a, b) => a - b);
  const base = cell('fp32', 1);
  const table = (title: string, value: (r: CellResult) => string) => {
    const head = `| ${title} | ${widths.map((w) => `${w}x`).join(' | ')} |\n|---|${widths.map(() => '---:').join('|')}|\n`;
    return (
      head +
      configs
        .map(
          (c) =>
            `| ${c} | ${widths
              .map((w) => {
                const r = cell(c, w);
                return r ? value(r) : '-';
              })
              .join(' | ')} |`,
        )
        .join('\n')
    );
  };
  const lines: string[] = [];
  lines.push('# WRPN on Fashion-MNIST');
  lines.push('');
  lines.push('Wide reduced-precision networks (Mishra et al., ICLR 2018): the same LeNet-like network at');
  lines.push('{fp32, w8a8, w4a4, w2a4, w2a2} (weight bits / activation bits of the inner layers; first conv');
  lines.push('and last dense at 8 bits) and width {1, 2, 3} (filters and units multiplied, input and class');
  lines.push('outputs unchanged), trained identically. Bit-ops (`MACs x b_w x b_a`, per image) and weight');
  lines.push("memory come from `@lowbit/hw-model`'s `summary(model)`.");
  lines.push('');
  lines.push(`- Command: \`${input.command}\``);
  lines.push(
    `- Date: ${input.date}; backend: ${input.backend} (tfjs 4.22, Node ${process.version}); total ${(input.totalSeconds / 60).toFixed(1)} min`,
  );
  lines.push(
    `- Data: Fashion-MNIST, ${s.train} training images (class-stratified subset of the train split), ${s.test} test images (stratified subset of the test split), pixels / 255`,
  );
  lines.push(
    `- Network (width 1): ${s.conv1}C5 - BN - act - MP2 - ${s.conv2}C5 - BN - act - MP2 - ${s.fc}FC - BN - act - 10FC - softmax; act = WRPN clip-and-quantize (ReLU for fp32)`,
  );
  lines.push(
    `- Training: ${s.epochs} epoch(s), batch ${s.batch}, Adam lr ${s.lr}, seed ${s.seed} (initialisers and a seeded data order, the same for every cell)`,
  );
  lines.push(
    s.quick
      ? '- **Quick mode**: a smoke test, not a result.'
      : '- Sized to run in under 30 minutes on 2 shared cores; more images and epochs give higher accuracy everywhere.',
  );
  lines.push('');
  lines.push('## Test accuracy (%)');
  lines.push('');
  lines.push(table('config', (r) => pct(r.testAccuracy)));
  lines.push('');
  if (base) {
    const se = 100 * Math.sqrt((base.testAccuracy * (1 - base.testAccuracy)) / s.test);
    lines.push(
      `Standard error of one accuracy from ${s.test} test images: about ${se.toFixed(2)} points (binomial, at the fp32 1x accuracy), so differences below about ${(2 * Math.SQRT2 * se).toFixed(1)} points between two cells are within noise.`,
    );
    lines.push('');
  }
  lines.push('## Bit-ops per image (millions) and ratio to fp32 1x');
  lines.push('');
  lines.push(
    table('config', (r) => `${(r.bitOps / 1e6).toFixed(1)}${base ? ` (${(r.bitOps / base.bitOps).toFixed(3)})` : ''}`),
  );
  lines.push('');
  lines.push('## Weight memory (KiB; kernels at their bit width, biases and batch norm at 32 bits)');
  lines.push('');
  lines.push(table('config', (r) => (r.weightBits / 8192).toFixed(1)));
  lines.push('');
  if (base) {
    lines.push('## Claim check: does widening recover fp32 1x accuracy at fewer bit-ops?');
    lines.push('');
    lines.push(
      '| config | 1x: accuracy - fp32 1x (points) | best wide (2x/3x) - fp32 1x | within 0.5 point? | its bit-ops / fp32 1x |',
    );
    lines.push('|---|---:|---:|:---:|---:|');
    for (const c of configs.filter((c) => c !== 'fp32')) {
      const one = cell(c, 1);
      const wide = results
        .filter((r) => r.config === c && r.width > 1)
        .sort((a, b) => b.testAccuracy - a.testAccuracy)[0];
      if (!one || !wide) continue;
      const d1 = 100 * (one.testAccuracy - base.testAccuracy);
      const dw = 100 * (wide.testAccuracy - base.testAccuracy);
      lines.push(
        `| ${c} | ${d1.toFixed(2)} | ${dw.toFixed(2)} (${wide.width}x) | ${dw >= -0.5 ? 'yes' : 'no'} | ${(wide.bitOps / base.bitOps).toFixed(3)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Training time per cell (s)');
  lines.push('');
  lines.push(table('config', (r) => r.trainSeconds.toFixed(0)));
  lines.push('');
  const json = JSON.stringify(
    {
      command: input.command,
      date: input.date,
      backend: input.backend,
      totalSeconds: input.totalSeconds,
      settings: s,
      results,
    },
    null,
    2,
  );
  return { markdown: `${lines.join('\n')}\n`, json: `${json}\n` };
}
