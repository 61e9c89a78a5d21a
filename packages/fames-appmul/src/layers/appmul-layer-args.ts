/**
 * The arguments the AppMul factories add to quant-core's layers: `multiplier` (an AppMul, its
 * name, or null for exact products), `table` (a multiplier's table inline) and `appMulPath`,
 * turned into the layer's `arithmetic` part, a {@link LowbitAppMulArithmetic}.
 *
 * ```ts
 * quantDense(withAppMulArithmetic({ units: 4, multiplier: 'trunc3_a4u_w4s', inputQuantizer, kernelQuantizer }));
 * ```
 */
import { LowbitConfigError, type QuantizerArgs } from '@lowbit/quant-core';
import { LowbitAppMulArithmetic, type AppMulArithmeticArgs } from '../arithmetic/appmul-arithmetic.js';

export type AppMulLayerArgs = AppMulArithmeticArgs;

/** `args` with `multiplier` / `table` / `appMulPath` replaced by the AppMul arithmetic. */
export function withAppMulArithmetic<T extends QuantizerArgs>(args: T & AppMulLayerArgs, factory: string): T {
  if (args === null || typeof args !== 'object')
    throw new LowbitConfigError(factory, args, 'expected an object of layer arguments');
  const { multiplier, table, appMulPath, ...rest } = args;
  if (rest.arithmetic != null) {
    const why = `${factory} sets the arithmetic from \`multiplier\`; give a multiplier, or use the quant-core factory`;
    throw new LowbitConfigError(`${factory}.arithmetic`, rest.arithmetic, why);
  }
  return { ...rest, arithmetic: new LowbitAppMulArithmetic({ multiplier, table, appMulPath }) } as unknown as T;
}
