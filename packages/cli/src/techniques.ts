/**
 * The technique packages whose parts (quantizers, arithmetics, initializers, layer aliases) a
 * saved model may name. Importing a package registers its parts with tfjs and quant-core, so
 * every one is imported before a model is loaded. A package that fails to import is reported,
 * not fatal: models that do not use it still load.
 *
 * ```ts
 * const { loaded, failed } = await loadTechniques();
 * failed; // [] or [{ name: '@lowbit/wage-train', message: '...' }]
 * ```
 */

/** Each technique package with a literal import, so bundlers and the arch check see it. */
export const TECHNIQUE_PACKAGES: ReadonlyArray<{ name: string; load: () => Promise<unknown> }> = [
  { name: '@lowbit/log-domain', load: () => import('@lowbit/log-domain') },
  { name: '@lowbit/wage-train', load: () => import('@lowbit/wage-train') },
  { name: '@lowbit/fames-appmul', load: () => import('@lowbit/fames-appmul') },
  { name: '@lowbit/dqa-activations', load: () => import('@lowbit/dqa-activations') },
  { name: '@lowbit/wrpn-layers', load: () => import('@lowbit/wrpn-layers') },
];

export interface TechniqueLoad {
  loaded: string[];
  failed: Array<{ name: string; message: string }>;
}

let cached: Promise<TechniqueLoad> | undefined;

/** Imports every technique package once (later calls return the first result). */
export function loadTechniques(): Promise<TechniqueLoad> {
  cached ??= (async () => {
    const out: TechniqueLoad = { loaded: [], failed: [] };
    for (const t of TECHNIQUE_PACKAGES) {
      try {
        await t.load();
        out.loaded.push(t.name);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        out.failed.push({ name: t.name, message: message.split('\n')[0]!.trim() });
      }
    }
    return out;
  })();
  return cached;
}

/** One warning line per package that failed to import. */
export function techniqueWarnings(load: TechniqueLoad): string[] {
  return load.failed.map(
    (f) => `warning: ${f.name} could not be imported (${f.message}); models that use its parts will not load`,
  );
}
