/**
 * The `LowbitCodeFactors` kernel: every code of `x` (int32 or float32, any shape `[..., C]`)
 * replaced by its row of a factor table, `Y[..., c r + j] = F[x[..., c] - min][j]`, float32
 * `[..., C r]`. With the factors of a product table `M(a, w) = sum_j U_j(a) V_j(w)`
 * (`lowRankFactors(m, maxRank, 'product')`), an AppMul matmul or convolution is one float op on
 * `U(x)` and `V(w)`: that is the low-rank path's use of it.
 * Attributes: `factors` (Float32Array `[max - min + 1, rank]`, rows by code offset), `min`, `max`,
 * `rank`. NaN codes give NaN factors (the low-rank path propagates NaN, as tf ops would); any other
 * code that is not an integer in `[min, max]` is a LowbitDataError.
 * The cpu and wasm backends run {@link codeFactorsLoop} (a JS loop: the wasm backend's stock
 * gather takes about 40 ns a code, measured in the package README's bench); other backends the
 * composed {@link codeFactorsComposed} (gather).
 *
 * ```ts
 * const ux = tf.engine().runKernel(CODE_FACTORS, { x }, { factors, min: 0, max: 255, rank: 1 }); // float32 [..., C]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, checkShape, checkTensor } from '@lowbit/quant-core';
import { checkCodeFactorsAttrs, codeFactorsShape, factorAxis, type CodeFactorsAttrs } from './check-code-factors.js';

export type { CodeFactorsAttrs } from './check-code-factors.js';

export const CODE_FACTORS = 'LowbitCodeFactors';

/**
 * The kernel's loop on row-major codes `xv` of `shape` (default flat): returns the `xv.length r`
 * factors in the layout of {@link codeFactorsShape} (for the last axis, code `i`'s row at `i r`),
 * written into `into` when given (a Float32Array of that length: the wasm kernel's output in wasm
 * memory). Attributes and sizes checked first; a code that is neither NaN nor an integer in
 * `[min, max]` is a LowbitDataError naming its index.
 *
 * ```ts
 * codeFactorsLoop(Int32Array.of(2, 0), { factors: Float32Array.of(0, 10, 20), min: 0, max: 2, rank: 1 }); // [20, 0]
 * ```
 */
export function codeFactorsLoop(
  xv: ArrayLike<number>,
  attrs: CodeFactorsAttrs,
  shapeArg?: readonly number[],
  into?: Float32Array,
): Float32Array {
  const { factors, min, max, rank } = checkCodeFactorsAttrs('attrs', attrs);
  const arrayLike = Array.isArray(xv) || (ArrayBuffer.isView(xv) && !(xv instanceof DataView));
  if (!arrayLike) throw new LowbitConfigError('xv', xv, 'expected an array or typed array of codes');
  const shape = shapeArg === undefined ? [xv.length] : checkShape('shape', shapeArg);
  const axis = factorAxis(shape, attrs.axis);
  const n = xv.length;
  const size = shape.reduce((p, d) => p * d, 1);
  if (size !== n) throw new LowbitDataError(CODE_FACTORS, `x holds ${n} codes, its shape [${shape}] needs ${size}`);
  if (into !== undefined && !(into instanceof Float32Array && into.length === n * rank))
    throw new LowbitConfigError('into', into, `expected a Float32Array of ${n} x ${rank} factors`);
  const out = into ?? new Float32Array(n * rank);
  const span = max - min;
  const bad = (i: number): never => {
    throw new LowbitDataError(CODE_FACTORS, `code ${xv[i]} at index ${i} is not an integer in [${min}, ${max}]`);
  };
  // Code i at place q of its trailing block of `inner` entries goes to (i - q) r + j inner + q.
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const ints = xv instanceof Int32Array; // no fraction or NaN to test: a loop of its own, several times faster
  if (inner === 1 && ints && rank === 1) {
    for (let i = 0; i < n; i++) {
      const row = xv[i]! - min;
      if (row < 0 || row > span) bad(i);
      out[i] = factors[row]!;
    }
    return out;
  }
  for (let i = 0, base = 0; i < n; base += inner * rank) {
    for (let q = 0; q < inner; q++, i++) {
      const row = xv[i]! - min;
      if (ints ? row < 0 || row > span : !(row >= 0 && row <= span && row === Math.floor(row))) {
        if (Number.isNaN(row)) {
          for (let j = 0; j < rank; j++) out[base + q + j * inner] = NaN;
          continue;
        }
        bad(i);
      }
      for (let j = 0, s = row * rank, o = base + q; j < rank; j++, o += inner) out[o] = factors[s + j]!;
    }
  }
  return out;
}

/**
 * Composed fallback from tf ops (any backend): a gather of the factor rows at `x - min`, NaN
 * carried through `x - x`. Codes are trusted (the callers check them); returns float32.
 */
export function codeFactorsComposed(x: tf.Tensor, attrs: CodeFactorsAttrs): tf.Tensor {
  checkTensor('x', x, { dtype: ['int32', 'float32'] });
  const { factors, min, max, rank } = checkCodeFactorsAttrs('attrs', attrs);
  const shape = x.shape.length === 0 ? [1] : x.shape;
  const axis = factorAxis(shape, attrs.axis);
  return tf.tidy(() => {
    const xs = tf.reshape(x, shape);
    const xf = tf.cast(xs, 'float32');
    const rows = tf.gather(
      tf.tensor2d(factors, [max - min + 1, rank]),
      tf.clipByValue(tf.sub(tf.cast(xs, 'int32'), tf.scalar(min, 'int32')), 0, max - min),
    ); // [...shape, r]
    const withNaN = tf.add(rows, tf.expandDims(tf.sub(xf, xf), -1));
    // The factor index next to `axis` ([..., d_axis, r, rest...]), then the two merged.
    const order = [...shape.keys()].flatMap((i) => (i === axis ? [i, shape.length] : [i]));
    return tf.reshape(tf.transpose(withNaN, order), codeFactorsShape(shape, rank, axis));
  });
}

/**
 * `U(x)` from the registered kernel where there is one (cpu, wasm), else the composed gather.
 *
 * ```ts
 * const ux = codeFactors(x, { factors, min: 0, max: 255, rank: 1 });
 * ```
 */
export function codeFactors(x: tf.Tensor, attrs: CodeFactorsAttrs): tf.Tensor {
  checkTensor('x', x, { dtype: ['int32', 'float32'] }); // the attributes: the kernel or the fallback checks them
  if (tf.getKernel(CODE_FACTORS, tf.getBackend()) === undefined) return codeFactorsComposed(x, attrs);
  return tf.engine().runKernel(CODE_FACTORS, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
