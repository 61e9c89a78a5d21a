// The direct LUT kernels (conv2d, and matmul, a 1x1 conv) against naive loops over m.product on
// random shapes, geometries, designs and codes (fast-check), and against the patches route.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul } from '../appmul.js';
import { brokenArrayMultiplier } from '../families/broken-array.js';
import { drumMultiplier } from '../families/drum.js';
import { mitchellMultiplier } from '../families/mitchell.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { underdesignedMultiplier } from '../families/underdesigned.js';
import { codeRange } from '../operand.js';
import { appMulConv2dCodes } from '../simulate/appmul-conv2d.js';
import { appMulMatMulReference } from '../simulate/reference.js';
import { APPMUL_CONV2D, appMulConv2dLoop } from './appmul-conv2d.js';
import { appMulMatMulComposed, appMulMatMulLoop } from './appmul-matmul.js';
import { lutAttrsOf } from '../simulate/lut-codes.js';
import { lowRankFactors } from '../simulate/low-rank.js';
import { axisPadding } from '../simulate/patches.js';
import { expectConfigError as configError } from '../test/config-error.js';
import './register.js';

const u = (bits: number) => ({ bits, signed: false });
const s = (bits: number) => ({ bits, signed: true });

// 8-bit tables (what the kernels are for) and a few narrow or signed-activation ones.
const designs: AppMul[] = [
  truncatedMultiplier({ a: u(8), w: s(8), columns: 6 }),
  drumMultiplier({ a: u(8), w: s(8), k: 4 }),
  mitchellMultiplier({ a: u(8), w: u(8), fractionBits: 5 }),
  brokenArrayMultiplier({ a: u(4), w: s(4), hbl: 1, vbl: 2 }),
  drumMultiplier({ a: s(7), w: u(6), k: 3 }),
  underdesignedMultiplier({ a: u(4), w: s(4) }),
];

/** Naive conv: every tap through m.product, padded taps multiply the code 0 (as the patch matrix holds). */
function conv2dReference(
  x: Int32Array,
  w: Int32Array,
  [B, H, W, C]: number[],
  [kh, kw, , F]: number[],
  [sh, sw]: number[],
  [dh, dw]: number[],
  padding: 'valid' | 'same',
  m: AppMul,
): number[] {
  const [Ho, top] = axisPadding(H, kh, sh!, padding, dh);
  const [Wo, left] = axisPadding(W, kw, sw!, padding, dw);
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let f = 0; f < F; f++) {
          let sum = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              for (let c = 0; c < C; c++) {
                const [yy, xx] = [oy * sh! + i * dh! - top, ox * sw! + j * dw! - left];
                const inside = yy >= 0 && yy < H && xx >= 0 && xx < W;
                const code = inside ? x[((b * H + yy) * W + xx) * C + c]! : 0;
                sum += m.product(code, w[((i * kw + j) * C + c) * F + f]!);
              }
          out.push(sum);
        }
  return out;
}

const codesOf = (spec: { bits: number; signed: boolean }, n: number, seed: number) => {
  const [lo, hi] = codeRange(spec);
  let r = seed >>> 0 || 1;
  const next = () => (r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  // The range ends first, so every table corner is hit.
  return Int32Array.from({ length: n }, (_, i) =>
    i === 0 ? lo : i === 1 ? hi : lo + Math.floor(next() * (hi - lo + 1)),
  );
};

const convCase = fc.record({
  design: fc.integer({ min: 0, max: designs.length - 1 }),
  B: fc.integer({ min: 1, max: 2 }),
  H: fc.integer({ min: 1, max: 7 }),
  W: fc.integer({ min: 1, max: 7 }),
  C: fc.integer({ min: 1, max: 5 }),
  F: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 3 }),
  strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  dilations: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.constantFrom('valid' as const, 'same' as const),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe('LowbitAppMulConv2d / LowbitAppMulMatMul loops', () => {
  it('the conv loop equals naive loops over m.product on random shapes, geometries and codes', () => {
    fc.assert(
      fc.property(convCase, (c) => {
        const m = designs[c.design]!;
        const [eh, ew] = [(c.kh - 1) * c.dilations[0] + 1, (c.kw - 1) * c.dilations[1] + 1];
        fc.pre(c.padding === 'same' || (c.H >= eh && c.W >= ew));
        const xShape = [c.B, c.H, c.W, c.C];
        const wShape = [c.kh, c.kw, c.C, c.F];
        const x = codesOf(m.a, c.B * c.H * c.W * c.C, c.seed);
        const w = codesOf(m.w, c.kh * c.kw * c.C * c.F, c.seed + 1);
        const [outH, padTop] = axisPadding(c.H, c.kh, c.strides[0], c.padding, c.dilations[0]);
        const [outW, padLeft] = axisPadding(c.W, c.kw, c.strides[1], c.padding, c.dilations[1]);
        const attrs = {
          ...lutAttrsOf(m),
          strideH: c.strides[0],
          strideW: c.strides[1],
          dilationH: c.dilations[0],
          dilationW: c.dilations[1],
          padTop,
          padLeft,
          outH,
          outW,
        };
        const got = Array.from(appMulConv2dLoop(x, w, xShape, wShape, attrs));
        const want = conv2dReference(x, w, xShape, wShape, c.strides, c.dilations, c.padding, m);
        expect(got).toEqual(want);
      }),
      { numRuns: 120, seed: 20261202 },
    );
  });

  it('the matmul loop equals the scalar reference on random shapes and codes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: designs.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (d, B, K, N, seed) => {
          const m = designs[d]!;
          const a = codesOf(m.a, B * K, seed);
          const w = codesOf(m.w, K * N, seed + 7);
          const got = Array.from(appMulMatMulLoop(a, w, B, K, N, lutAttrsOf(m)));
          expect(got).toEqual(Array.from(appMulMatMulReference(a, w, [B, K, N], m)));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('names a code outside its range, with its index', () => {
    const m = designs[3]!; // a4u x w4s
    const attrs = { ...lutAttrsOf(m), strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 };
    const geometry = { ...attrs, outH: 1, outW: 1 };
    const run = (x: number[], w: number[]) => () => appMulConv2dLoop(x, w, [1, 1, 1, 2], [1, 1, 2, 1], geometry);
    expect(run([3, 16], [1, 1])).toThrow(/activation code 16 at index 1/);
    expect(run([3, 4], [1, -9])).toThrow(/weight code -9 at index 1/);
    expect(run([3, 4], [1, 0.5])).toThrow(LowbitDataError); // float codes as the wasm backend may read them
  });
});

describe('appMulConv2dCodes: direct kernel = patches route', () => {
  const m = designs[1]!; // DRUM k=4, a8u x w8s (high rank: the LUT path)
  const x = tf.tensor4d(codesOf(m.a, 2 * 6 * 5 * 3, 3), [2, 6, 5, 3], 'int32');
  const w = tf.tensor4d(codesOf(m.w, 3 * 2 * 3 * 6, 4), [3, 2, 3, 6], 'int32');
  const geometries = [
    { strides: 1, padding: 'same' as const },
    { strides: [2, 1] as [number, number], padding: 'valid' as const, dilations: [1, 2] as [number, number] },
    { strides: 2, padding: 'same' as const, dilations: 2 },
  ];

  it('is registered on cpu and gives the same sums bit for bit, every geometry', () => {
    expect(tf.getKernel(APPMUL_CONV2D, 'cpu')).toBeDefined();
    for (const g of geometries) {
      const direct = appMulConv2dCodes(x, w, m, { ...g, path: 'lut' });
      const patches = appMulConv2dCodes(x, w, m, { ...g, path: 'lut', patches: 'kernel' });
      expect(direct.shape).toEqual(patches.shape);
      expect(Array.from(direct.dataSync())).toEqual(Array.from(patches.dataSync()));
      tf.dispose([direct, patches]);
    }
  });

  it('gives the patches route gradients (straight-through), leaks nothing, and checks codes', () => {
    const xf = tf.cast(x, 'float32');
    const wf = tf.cast(w, 'float32');
    const dy = tf.randomUniform([2, 3, 3, 6], -1, 1, 'float32', 5);
    const gradsOf = (patches?: 'kernel') =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(appMulConv2dCodes(a as tf.Tensor4D, b as tf.Tensor4D, m, { ...geometries[2]!, patches }), dy)),
      )([xf, wf]);
    const [dxDirect, dwDirect] = gradsOf();
    const [dxPatches, dwPatches] = gradsOf('kernel');
    expect(Array.from(dxDirect!.dataSync())).toEqual(Array.from(dxPatches!.dataSync()));
    expect(Array.from(dwDirect!.dataSync())).toEqual(Array.from(dwPatches!.dataSync()));
    tf.dispose([dxDirect!, dwDirect!, dxPatches!, dwPatches!]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(appMulConv2dCodes(x, w, m, { padding: 'same' }));
      tf.dispose(gradsOf());
    }
    expect(tf.memory().numTensors).toBe(before);
    const bad = tf.tensor4d([[[[256]]]], [1, 1, 1, 1], 'int32');
    const w1 = tf.tensor4d([[[[1]]]], [1, 1, 1, 1], 'int32');
    expect(() => appMulConv2dCodes(bad, w1, m)).toThrow(/x codes span \[256, 256\]/);
    expect(() => appMulConv2dCodes(bad, w1, m, { checkCodes: false })).toThrow(/activation code 256/);
    expect(() => appMulConv2dCodes(x, w, m, { pathh: 'lut' } as never)).toThrow(/options.pathh/);
    tf.dispose([xf, wf, dy, bad, w1]);
  });
});

describe('appMulConv2dLoop / appMulMatMulLoop: arguments checked before any work', () => {
  const m = designs[3]!; // a4u x w4s
  const geometry = {
    ...lutAttrsOf(m),
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
    outH: 1,
    outW: 1,
  };
  const x = Int32Array.of(1, 2);
  const w = Int32Array.of(1, 2, 3, -4);
  const run =
    (xs: number[], ws: number[], attrs = geometry, xv: ArrayLike<number> = x) =>
    () =>
      appMulConv2dLoop(xv, w, xs, ws, attrs);

  it('gives typed errors naming what does not fit', () => {
    expect(Array.from(run([1, 1, 1, 2], [1, 1, 2, 2])())).toEqual([
      m.product(1, 1) + m.product(2, 3),
      m.product(1, 2) + m.product(2, -4),
    ]);
    expect(run([1, 1, 2], [1, 1, 2, 2])).toThrow(/xShape/);
    expect(run([1, 1, 1, 2], [1, 1, 3, 2])).toThrow(/expected 2 input channels/);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], geometry, [1, 2, 3])).toThrow(LowbitDataError);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, table: new Int32Array(3) })).toThrow(/attrs.table/);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, outW: 2 })).toThrow(/attrs.outW/);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, padTop: 1 })).toThrow(/attrs.padTop/);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, strideH: 0 })).toThrow(LowbitConfigError);
    // Huge sizes fail at the check, not after allocating or looping over them.
    expect(() => appMulMatMulLoop(x, w, 1e9, 1e9, 1e9, lutAttrsOf(m))).toThrow(LowbitDataError);
  });

  it('names the attribute, shape or array that is wrong; a batch of 0 gives no sums', () => {
    configError(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, bogusKey: 1 } as never), 'attrs.bogusKey');
    configError(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, kh: 2 } as never), 'attrs.kh');
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, kh: 1, kw: 1 } as never)()).toHaveLength(2);
    configError(run([1, 1, 1, 2], [1, 1, 2, 2], { ...geometry, bitsA: NaN }), 'attrs.bitsA');
    configError(run([1, 1, 1, 2], [1, 1, 2, 2], null as never), 'attrs');
    configError(run([1, 0, 1, 2], [1, 1, 2, 2]), 'xShape');
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], geometry, 'ab' as never)).toThrow(/x holds no array of codes/);
    expect(run([1, 1, 1, 2], [1, 1, 2, 2], geometry, Float64Array.of(1, NaN))).toThrow(
      /activation code NaN at index 1/,
    );
    expect(Array.from(run([0, 1, 1, 2], [1, 1, 2, 2], geometry, [])())).toEqual([]);
  });

  it('matmul loop: B, K, N checked against the arrays first; K = 0 sums to 0', () => {
    const attrs = lutAttrsOf(m);
    configError(() => appMulMatMulLoop(x, w, NaN, 1, 2, attrs), 'B');
    configError(() => appMulMatMulLoop(x, w, 1, -1, 2, attrs), 'K');
    configError(() => appMulMatMulLoop(x, w, 1, 2, 2.5, attrs), 'N');
    expect(() => appMulMatMulLoop(x, w, 2, 2, 2, attrs)).toThrow(/a holds 2 codes, \[B, K\] = \[2, 2, 2\] needs 4/);
    expect(() => appMulMatMulLoop(x, null as never, 1, 2, 2, attrs)).toThrow(LowbitDataError);
    configError(() => appMulMatMulLoop(x, w, 1, 2, 2, { ...attrs, strideH: 2 } as never), 'attrs.strideH');
    expect(Array.from(appMulMatMulLoop([], [], 2, 0, 3, attrs))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(appMulMatMulLoop(x, w, 1, 2, 2, attrs))).toEqual([
      m.product(1, 1) + m.product(2, 3),
      m.product(1, 2) + m.product(2, -4),
    ]);
  });

  it('composed matmul: tensors, attributes and codes checked (NaN and fractions too)', () => {
    const attrs = lutAttrsOf(m);
    const a = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    const wt = tf.tensor2d([1, 2, 3, -4], [2, 2], 'int32');
    const y = appMulMatMulComposed(a, wt, attrs);
    expect(Array.from(y.dataSync())).toEqual(Array.from(appMulMatMulLoop(x, w, 1, 2, 2, attrs)));
    configError(() => appMulMatMulComposed(undefined as never, wt, attrs), 'a');
    configError(() => appMulMatMulComposed(tf.zeros([2]) as never, wt, attrs), 'a.shape');
    configError(() => appMulMatMulComposed(a, tf.zeros([3, 2]) as tf.Tensor2D, attrs), 'w');
    configError(() => appMulMatMulComposed(a, wt, { ...attrs, table: new Int32Array(4) }), 'attrs.table');
    const nan = tf.tensor2d([[1, NaN]]);
    const half = tf.tensor2d([[1, 2.5]]);
    const high = tf.tensor2d([[1, 16]], [1, 2], 'int32');
    expect(() => appMulMatMulComposed(nan, wt, attrs)).toThrow(/a holds a code that is not an integer/);
    expect(() => appMulMatMulComposed(half, wt, attrs)).toThrow(LowbitDataError);
    expect(() => appMulMatMulComposed(high, wt, attrs)).toThrow(/a codes span \[1, 16\], outside \[0, 15\]/);
    const empty = appMulMatMulComposed(tf.zeros([0, 2], 'int32') as tf.Tensor2D, wt, attrs);
    expect(empty.shape).toEqual([0, 2]);
    tf.dispose([a, wt, y, nan, half, high, empty]);
  });
});

describe('appMulConv2dCodes: low-rank route (one float conv of the product factors) = the naive loops', () => {
  // Product-table ranks 1 to 7, and a table whose code 0 row is not zero (M(0, w) = w: padded taps count).
  const offsetOne = behaviouralAppMul({ a: u(4), w: s(4) }, 'test', 'offset1', {}, (x, y) => (x + 1) * y, 0);
  const lowRank = [designs[0]!, designs[1]!, designs[3]!, designs[4]!, offsetOne];

  it('gives the same sums bit for bit on random shapes and geometries, without a patch matrix', async () => {
    for (const m of lowRank) expect(lowRankFactors(m, 8, 'product'), m.name).not.toBeNull();
    await fc.assert(
      fc.asyncProperty(convCase, fc.integer({ min: 0, max: lowRank.length - 1 }), async (c, d) => {
        const m = lowRank[d]!;
        const [eh, ew] = [(c.kh - 1) * c.dilations[0] + 1, (c.kw - 1) * c.dilations[1] + 1];
        fc.pre(c.padding === 'same' || (c.H >= eh && c.W >= ew));
        const xShape = [c.B, c.H, c.W, c.C];
        const wShape = [c.kh, c.kw, c.C, c.F];
        const x = codesOf(m.a, c.B * c.H * c.W * c.C, c.seed);
        const w = codesOf(m.w, c.kh * c.kw * c.C * c.F, c.seed + 1);
        const want = conv2dReference(x, w, xShape, wShape, c.strides, c.dilations, c.padding, m);
        const xt = tf.tensor4d(x, xShape as [number, number, number, number], 'int32');
        const wt = tf.tensor4d(w, wShape as [number, number, number, number], 'int32');
        const geometry = { strides: c.strides, dilations: c.dilations, padding: c.padding };
        let y: tf.Tensor | undefined;
        const { kernelNames } = await tf.profile(() => {
          y = appMulConv2dCodes(xt, wt, m, { ...geometry, path: 'low-rank' });
        });
        expect(Array.from(y!.dataSync())).toEqual(want);
        // Both strides and dilations above 1 are not a tf.conv2d: that case takes the patches route.
        const factored = Math.max(...c.strides) === 1 || Math.max(...c.dilations) === 1;
        expect(kernelNames.includes('LowbitExtractPatches')).toBe(!factored);
        if (factored) expect(kernelNames).toContain('Conv2D');
        tf.dispose([xt, wt, y!]);
      }),
      { numRuns: 80, seed: 20261204 },
    );
  });

  it('gives the patches route gradients, leaks nothing across repeated steps', () => {
    const m = offsetOne;
    const x = tf.tensor4d(codesOf(m.a, 2 * 5 * 4 * 3, 9), [2, 5, 4, 3], 'float32');
    const w = tf.tensor4d(codesOf(m.w, 3 * 3 * 3 * 4, 10), [3, 3, 3, 4], 'float32');
    const dy = tf.randomUniform([2, 5, 4, 4], -1, 1, 'float32', 6);
    const gradsOf = (options: { path: 'low-rank' | 'lut'; patches?: 'kernel' }) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(appMulConv2dCodes(a as tf.Tensor4D, b as tf.Tensor4D, m, { padding: 'same', ...options }), dy)),
      )([x, w]);
    const [dxLowRank, dwLowRank] = gradsOf({ path: 'low-rank' });
    const [dxPatches, dwPatches] = gradsOf({ path: 'lut', patches: 'kernel' });
    expect(Array.from(dxLowRank!.dataSync())).toEqual(Array.from(dxPatches!.dataSync()));
    expect(Array.from(dwLowRank!.dataSync())).toEqual(Array.from(dwPatches!.dataSync()));
    tf.dispose([dxLowRank!, dwLowRank!, dxPatches!, dwPatches!]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(appMulConv2dCodes(x, w, m, { padding: 'same', path: 'low-rank' }));
      tf.dispose(gradsOf({ path: 'low-rank' }));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, dy]);
  });
});
