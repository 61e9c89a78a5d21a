/**
 * Small WebAssembly SIMD loops that work in place on the tfjs wasm backend's own memory, for
 * the JS passes of our heap kernels (JS runs them at 3-10 ns per value on our machine):
 *
 * - `add(dst, src, n)`: `dst[i] += src[i]` over n float32 values (col2im of Conv2DBackpropInput);
 * - `pool2x2Row(x0, x1, dy, d0, d1, ow, c)`: the MaxPoolGrad of one output row of 2x2/stride-2
 *   windows, channels innermost (c a multiple of 4): writes dx (both input rows) with dy at the
 *   first maximum of each window (strictly greater wins, scanning (0,0), (0,1), (1,0), (1,1), as the
 *   JS pass does) and 0 elsewhere;
 * - `colSum(src, dst, rows, rowBytes)`: adds each of `rows` rows into `dst` (a Sum over every
 *   axis but the last, as conv bias gradients take; rowBytes a multiple of 16).
 *
 * Arguments are byte offsets into the heap. The module is assembled here from its bytes (no
 * build step, no file), imports the backend's memory (shared for the threaded build) and is
 * instantiated once per memory. `simdHelpers(backend)` returns null where WebAssembly SIMD or the
 * memory is not available; callers keep their JS loop for that case.
 */

/** Unsigned LEB128. */
function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...u32(d)],
  brIf: (d: number) => [0x0d, ...u32(d)],
  get: (i: number) => [0x20, ...u32(i)],
  set: (i: number) => [0x21, ...u32(i)],
  tee: (i: number) => [0x22, ...u32(i)],
  i32: (v: number) => [0x41, ...s32(v)],
  add: [0x6a],
  mul: [0x6c],
  shl: [0x74],
  and: [0x71],
  geU: [0x4f],
  f32Load: [0x2a, 0x02, 0x00],
  f32Store: [0x38, 0x02, 0x00],
  f32Add: [0x92],
  // SIMD (0xfd prefix); memarg: alignment 2^0 (any), offset
  v128Load: (offset = 0) => [0xfd, ...u32(0x00), 0x00, ...u32(offset)],
  v128Store: (offset = 0) => [0xfd, ...u32(0x0b), 0x00, ...u32(offset)],
  f32x4Add: [0xfd, ...u32(0xe4)],
  f32x4Gt: [0xfd, ...u32(0x44)],
  v128And: [0xfd, ...u32(0x4e)],
  v128AndNot: [0xfd, ...u32(0x4f)],
  v128Or: [0xfd, ...u32(0x50)],
  v128Not: [0xfd, ...u32(0x4d)],
  bitselect: [0xfd, ...u32(0x52)],
};

const flat = (parts: (number | number[])[]): number[] => parts.flatMap((p) => (Array.isArray(p) ? p : [p]));

/** add(dst, src, n): params 0..2; locals 3 = end, 4 = end of the 4-wide part. */
function addBody(): number[] {
  const [dst, src, n, end, end4] = [0, 1, 2, 3, 4];
  const code = flat([
    op.get(dst), op.get(n), op.i32(2), op.shl, op.add, op.set(end),
    op.get(dst), op.get(n), op.i32(-4), op.and, op.i32(2), op.shl, op.add, op.set(end4),
    op.block, op.loop,
    op.get(dst), op.get(end4), op.geU, op.brIf(1),
    op.get(dst), op.get(dst), op.v128Load(), op.get(src), op.v128Load(), op.f32x4Add, op.v128Store(),
    op.get(dst), op.i32(16), op.add, op.set(dst),
    op.get(src), op.i32(16), op.add, op.set(src),
    op.br(0), op.end, op.end,
    op.block, op.loop,
    op.get(dst), op.get(end), op.geU, op.brIf(1),
    op.get(dst), op.get(dst), op.f32Load, op.get(src), op.f32Load, op.f32Add, op.f32Store,
    op.get(dst), op.i32(4), op.add, op.set(dst),
    op.get(src), op.i32(4), op.add, op.set(src),
    op.br(0), op.end, op.end,
    op.end,
  ]); // prettier-ignore
  const locals = [1, ...u32(2), I32];
  return [...locals, ...code];
}

/**
 * pool2x2Row(x0, x1, dy, d0, d1, ow, c): params 0..6 (i32). i32 locals: 7 cb (c * 4), 8 o, 9 k,
 * 10 xa, 11 xb, 12 da, 13 db, 14 dyp, 15 rowBytes (2 * cb). v128 locals: 16 v0, 17 v1, 18 v2,
 * 19 v3, 20 best, 21 m1, 22 m2, 23 m3, 24 dy.
 */
function poolBody(): number[] {
  const [x0, x1, dy, d0, d1, ow, c] = [0, 1, 2, 3, 4, 5, 6];
  const [cb, o, k, xa, xb, da, db, dyp, rb] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [v0, v1, v2, v3, best, m1, m2, m3, vdy] = [16, 17, 18, 19, 20, 21, 22, 23, 24];
  const load = (base: number, plus: number | null, into: number) =>
    plus === null
      ? [op.get(base), op.get(k), op.add, op.v128Load(), op.set(into)]
      : [op.get(base), op.get(plus), op.add, op.get(k), op.add, op.v128Load(), op.set(into)];
  const store = (base: number, plus: number | null, mask: number[][]) => [
    ...(plus === null ? [op.get(base), op.get(k), op.add] : [op.get(base), op.get(plus), op.add, op.get(k), op.add]),
    op.get(vdy),
    ...mask,
    op.v128And,
    op.v128Store(),
  ];
  const code = flat([
    op.get(c), op.i32(2), op.shl, op.set(cb),
    op.get(cb), op.i32(1), op.shl, op.set(rb),
    op.i32(0), op.set(o),
    op.block, op.loop,
    op.get(o), op.get(ow), op.geU, op.brIf(1),
    // row pointers of window o
    op.get(x0), op.get(o), op.get(rb), op.mul, op.add, op.set(xa),
    op.get(x1), op.get(o), op.get(rb), op.mul, op.add, op.set(xb),
    op.get(d0), op.get(o), op.get(rb), op.mul, op.add, op.set(da),
    op.get(d1), op.get(o), op.get(rb), op.mul, op.add, op.set(db),
    op.get(dy), op.get(o), op.get(cb), op.mul, op.add, op.set(dyp),
    op.i32(0), op.set(k),
    op.block, op.loop,
    op.get(k), op.get(cb), op.geU, op.brIf(1),
    ...load(xa, null, v0), ...load(xa, cb, v1), ...load(xb, null, v2), ...load(xb, cb, v3),
    op.get(dyp), op.get(k), op.add, op.v128Load(), op.set(vdy),
    // m1 = v1 > v0; best = m1 ? v1 : v0; m2 = v2 > best; best = m2 ? v2 : best; m3 = v3 > best
    op.get(v1), op.get(v0), op.f32x4Gt, op.set(m1),
    op.get(v1), op.get(v0), op.get(m1), op.bitselect, op.set(best),
    op.get(v2), op.get(best), op.f32x4Gt, op.set(m2),
    op.get(v2), op.get(best), op.get(m2), op.bitselect, op.set(best),
    op.get(v3), op.get(best), op.f32x4Gt, op.set(m3),
    // winner 0: none of m1, m2, m3; 1: m1 and not m2, m3; 2: m2 and not m3; 3: m3
    ...store(da, null, [op.get(m1), op.get(m2), op.v128Or, op.get(m3), op.v128Or, op.v128Not]),
    ...store(da, cb, [op.get(m1), op.get(m2), op.v128AndNot, op.get(m3), op.v128AndNot]),
    ...store(db, null, [op.get(m2), op.get(m3), op.v128AndNot]),
    ...store(db, cb, [op.get(m3)]),
    op.get(k), op.i32(16), op.add, op.set(k),
    op.br(0), op.end, op.end,
    op.get(o), op.i32(1), op.add, op.set(o),
    op.br(0), op.end, op.end,
    op.end,
  ]); // prettier-ignore
  const locals = [2, ...u32(9), I32, ...u32(9), V128];
  return [...locals, ...code];
}

/** colSum(src, dst, rows, rowBytes): dst[k] += src[r * row + k] over rows (rowBytes % 16 = 0). */
function colSumBody(): number[] {
  const [src, dst, rows, rowBytes, r, k] = [0, 1, 2, 3, 4, 5];
  const code = flat([
    op.i32(0), op.set(r),
    op.block, op.loop,
    op.get(r), op.get(rows), op.geU, op.brIf(1),
    op.i32(0), op.set(k),
    op.block, op.loop,
    op.get(k), op.get(rowBytes), op.geU, op.brIf(1),
    op.get(dst), op.get(k), op.add,
    op.get(dst), op.get(k), op.add, op.v128Load(),
    op.get(src), op.get(k), op.add, op.v128Load(),
    op.f32x4Add, op.v128Store(),
    op.get(k), op.i32(16), op.add, op.set(k),
    op.br(0), op.end, op.end,
    op.get(src), op.get(rowBytes), op.add, op.set(src),
    op.get(r), op.i32(1), op.add, op.set(r),
    op.br(0), op.end, op.end,
    op.end,
  ]); // prettier-ignore
  return [1, ...u32(2), I32, ...code];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...u32(bytes.length), ...bytes];
}

/** The module's bytes; `shared` picks the memory import of the threaded build. */
export function simdHelpersModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const types = [
    3,
    0x60,
    3,
    I32,
    I32,
    I32,
    0,
    0x60,
    7,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    0,
    0x60,
    4,
    I32,
    I32,
    I32,
    I32,
    0,
  ];
  // memory import: min 0 pages; shared memories need a maximum (tfjs: 65536 pages)
  const limits = shared ? [0x03, 0, ...u32(65536)] : [0x00, 0];
  const imports = [1, ...name('env'), ...name('memory'), 0x02, ...limits];
  const funcs = [3, 0, 1, 2];
  const exports = [3, ...name('add'), 0x00, 0, ...name('pool2x2Row'), 0x00, 1, ...name('colSum'), 0x00, 2];
  const bodies = [addBody(), poolBody(), colSumBody()];
  const code = [bodies.length, ...bodies.flatMap((b) => [...u32(b.length), ...b])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]); // prettier-ignore
}

export interface SimdHelpers {
  add(dst: number, src: number, n: number): void;
  pool2x2Row(x0: number, x1: number, dy: number, d0: number, d1: number, ow: number, c: number): void;
  colSum(src: number, dst: number, rows: number, rowBytes: number): void;
}

interface EmscriptenModuleLike {
  wasmMemory?: unknown;
  asm?: Record<string, unknown>;
}

const cache = new WeakMap<WebAssembly.Memory, SimdHelpers | null>();

/** The helpers bound to the wasm backend's memory, or null where they cannot run. */
export function simdHelpers(backend: unknown): SimdHelpers | null {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (cache.has(memory)) return cache.get(memory) ?? null;
  let helpers: SimdHelpers | null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(simdHelpersModuleBytes(shared)), {
      env: { memory },
    });
    helpers = instance.exports as unknown as SimdHelpers;
  } catch {
    helpers = null; // no SIMD, or a memory this module cannot import
  }
  cache.set(memory, helpers);
  return helpers;
}

/**
 * `row(xRow, dyRow, acc, ow, dyStep)` for one filter row of `fw` taps and `ci` input channels
 * (the input channel is picked by the caller's `xRow`): for x in 0..ow, with `d` the 8 values at
 * `dyRow + x * dyStep` and `s_j` the input value at `xRow + (x + j) * ci * 4`, adds `s_j * d` to
 * the 8 accumulators of tap j at `acc + 32 j`. The filter gradient of a stride-1 'valid' layer
 * with few input channels, without im2col and without packing its big operand.
 */
function filterRowBody(fw: number, ci: number): number[] {
  const [xRow, dyRow, acc, ow, dyStep, xi] = [0, 1, 2, 3, 4, 5];
  const a = (j: number, h: number) => 6 + 2 * j + h; // v128 accumulators
  const [d0, d1, s] = [6 + 2 * fw, 7 + 2 * fw, 8 + 2 * fw];
  const f32x4Splat = [0xfd, ...u32(0x13)];
  const f32x4Mul = [0xfd, ...u32(0xe6)];
  const f32LoadAt = (offset: number) => [0x2a, 0x02, ...u32(offset)];
  const code: (number | number[])[] = [];
  for (let j = 0; j < fw; j++) {
    for (let h = 0; h < 2; h++) code.push(op.get(acc), op.v128Load(32 * j + 16 * h), op.set(a(j, h)));
  }
  code.push(op.i32(0), op.set(xi), op.block, op.loop);
  code.push(op.get(xi), op.get(ow), op.geU, op.brIf(1));
  code.push(op.get(dyRow), op.v128Load(0), op.set(d0), op.get(dyRow), op.v128Load(16), op.set(d1));
  for (let j = 0; j < fw; j++) {
    code.push(op.get(xRow), f32LoadAt(4 * j * ci), f32x4Splat, op.set(s));
    for (let h = 0; h < 2; h++) {
      code.push(op.get(a(j, h)), op.get(s), op.get(h === 0 ? d0 : d1), f32x4Mul, op.f32x4Add, op.set(a(j, h)));
    }
  }
  code.push(op.get(xRow), op.i32(4 * ci), op.add, op.set(xRow));
  code.push(op.get(dyRow), op.get(dyStep), op.add, op.set(dyRow));
  code.push(op.get(xi), op.i32(1), op.add, op.set(xi));
  code.push(op.br(0), op.end, op.end);
  for (let j = 0; j < fw; j++) {
    for (let h = 0; h < 2; h++) code.push(op.get(acc), op.get(a(j, h)), op.v128Store(32 * j + 16 * h));
  }
  code.push(op.end);
  const locals = [2, ...u32(1), I32, ...u32(2 * fw + 3), V128];
  return [...locals, ...flat(code)];
}

/** Module bytes of the filter-row function for `fw` taps and `ci` input channels. */
export function filterRowModuleBytes(fw: number, ci: number, shared: boolean): Uint8Array<ArrayBuffer> {
  const types = [1, 0x60, 5, I32, I32, I32, I32, I32, 0];
  const limits = shared ? [0x03, 0, ...u32(65536)] : [0x00, 0];
  const imports = [1, ...name('env'), ...name('memory'), 0x02, ...limits];
  const body = filterRowBody(fw, ci);
  const code = [1, ...u32(body.length), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('row'), 0x00, 0]),
    ...section(10, code),
  ]); // prettier-ignore
}

export type FilterRowFn = (xRow: number, dyRow: number, acc: number, ow: number, dyStep: number) => void;

const rowCache = new WeakMap<WebAssembly.Memory, Map<string, FilterRowFn | null>>();

/** The filter-row function for `fw` taps and `ci` input channels on the backend's memory, or null. */
export function filterRowFn(backend: unknown, fw: number, ci: number): FilterRowFn | null {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let byShape = rowCache.get(memory);
  if (!byShape) rowCache.set(memory, (byShape = new Map()));
  const key = `${fw}x${ci}`;
  if (byShape.has(key)) return byShape.get(key) ?? null;
  let fn: FilterRowFn | null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = filterRowModuleBytes(fw, ci, shared);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    fn = instance.exports.row as FilterRowFn;
  } catch {
    fn = null;
  }
  byShape.set(key, fn);
  return fn;
}

/**
 * `gemm4x8(a, b, c, k, lda, ldb, ldc)`: the 4 x 8 tile `c = a[4 x k] x b[k x 8]` of a row-major
 * product (strides in bytes), 8 accumulators; b is read in place, row by row, so nothing is
 * packed. For products whose right operand is much bigger than the left (a dense layer's
 * forward pass: XNNPACK repacks the weights on every call).
 */
function gemmBody(): number[] {
  const [a, b, c, K, lda, ldb, ldc, k, a1, a2, a3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const acc = (i: number) => 11 + i;
  const [b0, b1, s] = [19, 20, 21];
  const f32x4Splat = [0xfd, ...u32(0x13)];
  const f32x4Mul = [0xfd, ...u32(0xe6)];
  const v128Zero = [0xfd, ...u32(0x0c), ...new Array<number>(16).fill(0)];
  const code: (number | number[])[] = [
    op.get(a), op.get(lda), op.add, op.set(a1),
    op.get(a1), op.get(lda), op.add, op.set(a2),
    op.get(a2), op.get(lda), op.add, op.set(a3),
  ]; // prettier-ignore
  for (let i = 0; i < 8; i++) code.push(v128Zero, op.set(acc(i)));
  code.push(op.i32(0), op.set(k), op.block, op.loop, op.get(k), op.get(K), op.geU, op.brIf(1));
  code.push(op.get(b), op.v128Load(0), op.set(b0), op.get(b), op.v128Load(16), op.set(b1));
  [a, a1, a2, a3].forEach((row, r) => {
    code.push(op.get(row), op.f32Load, f32x4Splat, op.set(s));
    code.push(op.get(acc(2 * r)), op.get(s), op.get(b0), f32x4Mul, op.f32x4Add, op.set(acc(2 * r)));
    code.push(op.get(acc(2 * r + 1)), op.get(s), op.get(b1), f32x4Mul, op.f32x4Add, op.set(acc(2 * r + 1)));
  });
  for (const row of [a, a1, a2, a3]) code.push(op.get(row), op.i32(4), op.add, op.set(row));
  code.push(op.get(b), op.get(ldb), op.add, op.set(b));
  code.push(op.get(k), op.i32(1), op.add, op.set(k), op.br(0), op.end, op.end);
  for (let r = 0; r < 4; r++) {
    if (r > 0) code.push(op.get(c), op.get(ldc), op.add, op.set(c));
    code.push(op.get(c), op.get(acc(2 * r)), op.v128Store(0), op.get(c), op.get(acc(2 * r + 1)), op.v128Store(16));
  }
  code.push(op.end);
  return [2, ...u32(4), I32, ...u32(11), V128, ...flat(code)];
}

export type Gemm4x8Fn = (a: number, b: number, c: number, k: number, lda: number, ldb: number, ldc: number) => void;

const gemmCache = new WeakMap<WebAssembly.Memory, Gemm4x8Fn | null>();

/** The 4 x 8 GEMM tile function on the backend's memory, or null. */
export function gemm4x8Fn(backend: unknown): Gemm4x8Fn | null {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (gemmCache.has(memory)) return gemmCache.get(memory) ?? null;
  let fn: Gemm4x8Fn | null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const limits = shared ? [0x03, 0, ...u32(65536)] : [0x00, 0];
    const body = gemmBody();
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
      ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
      ...section(3, [1, 0]),
      ...section(7, [1, ...name('gemm'), 0x00, 0]),
      ...section(10, [1, ...u32(body.length), ...body]),
    ]); // prettier-ignore
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    fn = instance.exports.gemm as Gemm4x8Fn;
  } catch {
    fn = null;
  }
  gemmCache.set(memory, fn);
  return fn;
}
