/** The packages the sweep covers, with their spec tables and the exports in files owned by others. */
import type { PackageSpecs, PendingTable } from './spec.js';
import { dqaPending, dqaSpecs } from './specs-dqa.js';
import { hwModelPending, hwModelSpecs } from './specs-hw-model.js';
import { famesNodeSpecs, famesSpecs } from './specs-fames.js';
import { logDomainPending, logDomainSpecs } from './specs-log-domain.js';
import { quantCorePending, quantCoreSpecs } from './specs-quant-core.js';
import { trainingKernelsSpecs } from './specs-training-kernels.js';
import { wagePending, wageSpecs } from './specs-wage.js';
import { wrpnPending, wrpnSpecs } from './specs-wrpn.js';

export interface SweptPackage {
  name: string;
  load: () => Promise<unknown>;
  specs: PackageSpecs;
  pending: PendingTable;
  /**
   * Generic garbage values not tried on this package (each with the reason in the comment where it
   * is set): a package we cannot fix that allocates an unchecked size of 1e9 would exhaust the
   * test process's memory.
   */
  genericSkip?: readonly string[];
}

export const SWEPT_PACKAGES: SweptPackage[] = [
  { name: 'quant-core', load: () => import('@lowbit/quant-core'), specs: quantCoreSpecs, pending: quantCorePending },
  { name: 'hw-model', load: () => import('@lowbit/hw-model'), specs: hwModelSpecs, pending: hwModelPending },
  { name: 'log-domain', load: () => import('@lowbit/log-domain'), specs: logDomainSpecs, pending: logDomainPending },
  { name: 'dqa-activations', load: () => import('@lowbit/dqa-activations'), specs: dqaSpecs, pending: dqaPending },
  { name: 'wrpn-layers', load: () => import('@lowbit/wrpn-layers'), specs: wrpnSpecs, pending: wrpnPending },
  // Every generic value, 1e9 included: wage-train checks sizes before it allocates.
  { name: 'wage-train', load: () => import('@lowbit/wage-train'), specs: wageSpecs, pending: wagePending },
  // Every generic value, 1e9 included: fames-appmul checks sizes before it allocates or loops (its
  // simulation kernels included). The Node entry (file loaders) too.
  { name: 'fames-appmul', load: () => import('@lowbit/fames-appmul'), specs: famesSpecs, pending: {} },
  {
    name: 'fames-appmul/node',
    load: () => import('@lowbit/fames-appmul/node'),
    specs: famesNodeSpecs,
    pending: {},
  },
  {
    name: 'training-kernels',
    load: () => import('@lowbit/training-kernels'),
    specs: trainingKernelsSpecs,
    // every generic value, 1e9 included: its loops check sizes against the geometry before allocating
    pending: {},
  },
];
