import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { paretoFront, paretoSpec, renderSvg } from './charts.js';
import type { TechniqueRow } from '../suite-summary.js';

describe('paretoFront', () => {
  it('keeps exactly the points no other point beats on both energy and accuracy', () => {
    const rows = [
      { label: 'a', energyPj: 10, accuracy: 0.9 },
      { label: 'b', energyPj: 5, accuracy: 0.8 },
      { label: 'c', energyPj: 7, accuracy: 0.7 }, // dominated by b
      { label: 'd', energyPj: 1, accuracy: 0.5 },
      { label: 'e', energyPj: 20, accuracy: 0.85 }, // dominated by a
    ];
    expect(paretoFront(rows)).toEqual(['d', 'b', 'a']);
  });

  it('matches the brute-force definition on random points', () => {
    const point = fc.record({ energyPj: fc.integer({ min: 1, max: 50 }), accuracy: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 12 }), (pts) => {
        const rows = pts.map((p, i) => ({ ...p, label: `p${i}` }));
        const dominated = (r: (typeof rows)[number]) =>
          rows.some(
            (o) =>
              o !== r &&
              o.energyPj <= r.energyPj &&
              o.accuracy >= r.accuracy &&
              (o.energyPj < r.energyPj || o.accuracy > r.accuracy || rows.indexOf(o) < rows.indexOf(r)),
          );
        // ties (same energy and accuracy) keep one representative: compare sets of (energy, accuracy)
        const key = (r: { energyPj: number; accuracy: number }) => `${r.energyPj}/${r.accuracy}`;
        const expected = new Set(rows.filter((r) => !dominated(r)).map(key));
        const got = new Set(paretoFront(rows).map((l) => key(rows.find((r) => r.label === l)!)));
        expect(got).toEqual(expected);
      }),
    );
  });
});

describe('renderSvg', () => {
  it('renders a Vega-Lite spec to an SVG string with one mark per technique', async () => {
    const row = (label: string, energyPj: number, accuracy: number) =>
      ({ label, energyPj, accuracy, curve: [], layers: [] }) as unknown as TechniqueRow;
    const svg = await renderSvg(paretoSpec([row('fp32', 1e8, 0.9), row('w4a4', 2e7, 0.88), row('w2a2', 1e7, 0.8)]));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Accuracy vs estimated energy');
    for (const t of ['fp32', 'w4a4', 'w2a2']) expect(svg).toContain(`>${t}</text>`);
    expect((svg.match(/class="mark-symbol/g) ?? []).length).toBe(1); // one symbol group
    // coinciding points share one label
    const twin = await renderSvg(
      paretoSpec([row('fp32', 1e8, 0.9), row('dqa', 1.01e8, 0.899), row('w4a4', 2e7, 0.88)]),
    );
    expect(twin).toContain('>fp32 / dqa</text>');
    expect(twin).not.toContain('>dqa</text>');
    expect((svg.match(/<path [^>]*transform="translate/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});
