/**
 * Recursive under-designed multiplier (UDM, Kulkarni, Gupta, Ercegovac 2011): built from 2x2
 * blocks that return 7 instead of 9 for 3 x 3 (a 3-bit output, about half the gates of the exact
 * block), combined recursively with exact adders: for n-bit halves H, L,
 * `x y = (xH yH) 2^n + (xH yL + xL yH) 2^(n/2) + xL yL`. Operands are zero-padded to the next
 * power-of-two width (at least 2).
 *
 * ```ts
 * const m = underdesignedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: false } });
 * m.product(3, 3);   // 7
 * m.product(15, 15); // 7*16 + (7 + 7)*4 + 7 = 175 (exact 225)
 * ```
 */
import { checkInteger, checkKnownKeys, checkObject, checkOneOf } from '@lowbit/quant-core';
import { behaviouralAppMul, type AppMul, type OperandOptions } from '../appmul.js';
import { GATES } from '../gate-count.js';
import { checkOperand } from '../operand.js';

/** Block widths the recursion supports: powers of two whose products stay exact in a double. */
const UDM_WIDTHS = [2, 4, 8, 16] as const;

/** The UDM product of `x`, `y` (integers in `0 .. 2^n - 1`, `n` a power of two from 2 to 16). */
export function underdesignedProduct(x: number, y: number, n: number): number {
  // Checked once here: the recursion halves n down to the 2x2 block and never sees a bad value.
  const width = checkOneOf('n', n, UDM_WIDTHS);
  checkInteger('x', x, 0, 2 ** width - 1);
  checkInteger('y', y, 0, 2 ** width - 1);
  return udmProduct(x, y, width);
}

function udmProduct(x: number, y: number, n: number): number {
  if (n === 2) return x === 3 && y === 3 ? 7 : x * y;
  const h = n / 2;
  const mask = (1 << h) - 1;
  const xH = x >> h;
  const xL = x & mask;
  const yH = y >> h;
  const yL = y & mask;
  return (
    udmProduct(xH, yH, h) * 2 ** n + (udmProduct(xH, yL, h) + udmProduct(xL, yH, h)) * 2 ** h + udmProduct(xL, yL, h)
  );
}

/**
 * Gate-count proxy: the approximate 2x2 block is 4 AND2 + 1 OR2 (the exact block needs two half
 * adders more); each recursion level adds its four half-width products with about 2n full adders.
 */
function udmGates(n: number): number {
  return n === 2 ? 5 * GATES.and : 4 * udmGates(n / 2) + 2 * n * GATES.fullAdder;
}

export function underdesignedMultiplier(options: OperandOptions): AppMul {
  checkObject('options', options, '{ a, w }');
  checkKnownKeys('options', options, ['a', 'w']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  const n = 2 ** Math.ceil(Math.log2(Math.max(a.bits, w.bits)));
  // Blocks that only ever see padding zeros are not built: scale the padded count by the used area.
  const gates = (udmGates(n) * a.bits * w.bits) / (n * n);
  return behaviouralAppMul({ a, w }, 'underdesigned', 'udm', {}, (x, y) => udmProduct(x, y, n), gates);
}
