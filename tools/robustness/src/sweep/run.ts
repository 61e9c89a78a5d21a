/**
 * Runs the sweep: every export of a package's main entry gets the generic garbage calls, plus
 * the mutations of its valid arguments and its explicit bad cases (spec tables), and every
 * instance table's method gets the same on an object made from valid arguments.
 */
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BAD_SCALARS, BAD_VALUES, type BadValue, guardedCall, isClass, type Outcome, carriesNaN } from './harness.js';
import type { BadCase, CallTable, ExportSpec, PackageSpecs } from './spec.js';

export interface CallRecord {
  pkg: string;
  name: string;
  label: string;
  /** `valid`: a valid call (must be accepted); `must-reject`: an explicit bad case or an unknown key. */
  kind: 'generic' | 'mutation' | 'must-reject' | 'valid';
  outcome: Outcome;
  detail: string;
}

export interface ExportRecord {
  pkg: string;
  name: string;
  kind: 'function' | 'class' | 'constant';
  acceptsAnything?: string;
}

type Invoke = (args: unknown[]) => unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof tf.Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function skipped(table: CallTable, key: string, bad: BadValue): boolean {
  const s = table.skip?.[key];
  return s === 'all' || (s !== undefined && s.includes(bad.label));
}

function disposeArgs(args: unknown[]): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || depth > 3 || seen.has(v)) return;
    seen.add(v);
    if (v instanceof tf.Tensor) {
      if (!v.isDisposed && !(v instanceof tf.Variable)) v.dispose();
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (isPlainObject(v)) Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  args.forEach((a) => visit(a, 0));
}

/** The calls of one table: valid, mutations of each position / key, explicit bad cases. */
function tableCalls(
  table: CallTable,
): { label: string; kind: CallRecord['kind']; make: () => unknown[]; nan: boolean }[] {
  const out: { label: string; kind: CallRecord['kind']; make: () => unknown[]; nan: boolean }[] = [];
  if (table.valid) {
    const valid = table.valid;
    const sample = valid();
    out.push({ label: 'valid', kind: 'valid', make: valid, nan: carriesNaN(sample) });
    sample.forEach((arg, i) => {
      for (const bad of BAD_VALUES) {
        if (skipped(table, String(i), bad)) continue;
        out.push({
          label: `arg ${i} = ${bad.label}`,
          kind: 'mutation',
          nan: !!bad.nan,
          make: () => {
            const a = valid();
            a[i] = bad.make();
            return a;
          },
        });
      }
      if (isPlainObject(arg) && table.skip?.[String(i)] !== 'all') {
        for (const key of Object.keys(arg)) {
          for (const bad of BAD_SCALARS) {
            if (skipped(table, `${i}.${key}`, bad)) continue;
            out.push({
              label: `arg ${i}.${key} = ${bad.label}`,
              kind: 'mutation',
              nan: !!bad.nan,
              make: () => {
                const a = valid();
                a[i] = { ...(a[i] as object), [key]: bad.make() };
                return a;
              },
            });
          }
        }
        out.push({
          label: `arg ${i} with an unknown key`,
          kind: table.openKeys?.[i] ? 'mutation' : 'must-reject',
          nan: false,
          make: () => {
            const a = valid();
            a[i] = { ...(a[i] as object), bogusKey: 1 };
            return a;
          },
        });
      }
    });
    disposeArgs(sample);
  }
  if (table.nanCase) out.push({ label: 'NaN values', kind: 'mutation', make: table.nanCase, nan: true });
  for (const c of table.bad ?? ([] as BadCase[])) {
    out.push({ label: c.label, kind: 'must-reject', make: c.args, nan: !!c.nan });
  }
  return out;
}

async function runCalls(
  pkg: string,
  name: string,
  invoke: Invoke,
  calls: { label: string; kind: CallRecord['kind']; make: () => unknown[]; nan: boolean }[],
  nanPropagates: boolean,
  records: CallRecord[],
): Promise<void> {
  const t0 = performance.now();
  const trace = process.env.LOWBIT_SWEEP_TRACE;
  for (const c of calls) {
    // LOWBIT_SWEEP_TRACE=<file>: each call is logged before it runs (to find one that hangs or exhausts memory).
    if (trace) appendFileSync(trace, `${pkg}:${name} [${c.label}]\n`);
    let args: unknown[] = [];
    const r = await guardedCall(
      () => {
        args = c.make();
        return invoke(args);
      },
      c.nan,
      nanPropagates,
    );
    disposeArgs(args);
    records.push({ pkg, name, label: c.label, kind: c.kind, outcome: r.outcome, detail: r.detail });
  }
  const ms = performance.now() - t0;
  if (ms > 500) console.log(`slow: ${pkg}:${name} ${calls.length} calls ${ms.toFixed(0)} ms`);
}

function genericCalls(
  skipValues: readonly string[],
): { label: string; kind: CallRecord['kind']; make: () => unknown[]; nan: boolean }[] {
  const out: { label: string; kind: CallRecord['kind']; make: () => unknown[]; nan: boolean }[] = [
    { label: 'no arguments', kind: 'generic', make: () => [], nan: false },
  ];
  for (const bad of BAD_VALUES) {
    if (skipValues.includes(bad.label)) continue;
    out.push({ label: `(${bad.label})`, kind: 'generic', make: () => [bad.make()], nan: !!bad.nan });
    out.push({
      label: `(${bad.label}, ${bad.label}, ${bad.label})`,
      kind: 'generic',
      make: () => [bad.make(), bad.make(), bad.make()],
      nan: !!bad.nan,
    });
  }
  return out;
}

/** Sweeps one package's exports; returns what it saw. */
export async function sweepPackage(
  pkg: string,
  entry: Record<string, unknown>,
  specs: PackageSpecs,
  genericSkip: readonly string[] = [],
): Promise<{ exports: ExportRecord[]; calls: CallRecord[]; unknownSpecs: string[] }> {
  const exports: ExportRecord[] = [];
  const calls: CallRecord[] = [];
  for (const [name, value] of Object.entries(entry)) {
    const spec: ExportSpec = specs[name] ?? {};
    if (typeof value !== 'function') {
      exports.push({ pkg, name, kind: 'constant' });
      continue;
    }
    const cls = isClass(value);
    exports.push({ pkg, name, kind: cls ? 'class' : 'function', acceptsAnything: spec.acceptsAnything });
    if (spec.acceptsAnything) continue;
    const invoke: Invoke = cls
      ? (args) => new (value as new (...a: unknown[]) => unknown)(...args)
      : (args) => (value as (...a: unknown[]) => unknown)(...args);
    const nan = spec.nanPropagates !== undefined;
    if (!spec.noGeneric) await runCalls(pkg, name, invoke, genericCalls(genericSkip), nan, calls);
    await runCalls(pkg, name, invoke, tableCalls(spec), nan, calls);
    for (const inst of spec.instances ?? []) {
      let target: Record<string, (...a: unknown[]) => unknown> | null = null;
      const method: Invoke = (args) => {
        target ??= inst.make() as Record<string, (...a: unknown[]) => unknown>;
        return target[inst.method]!(...args);
      };
      await runCalls(
        pkg,
        `${name} ${inst.label}.${inst.method}`,
        method,
        tableCalls(inst),
        inst.nanPropagates !== undefined,
        calls,
      );
    }
  }
  const unknownSpecs = Object.keys(specs).filter((k) => !(k in entry));
  return { exports, calls, unknownSpecs };
}
