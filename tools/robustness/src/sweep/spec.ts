/**
 * What the sweep knows about one export: valid arguments to mutate, explicit bad cases, and the
 * few documented exceptions (NaN propagation, exports that accept anything).
 */

/** A bad case that must be rejected with a typed error. */
export interface BadCase {
  label: string;
  args: () => unknown[];
  /** The arguments carry NaN. */
  nan?: boolean;
}

/** Which bad values not to try at a position (`'all'`: leave the position alone). Keys: position or `position.key`. */
export type SkipTable = Record<string, readonly string[] | 'all'>;

export interface CallTable {
  /**
   * Valid arguments (made fresh per call). Each position, and each key of a plain-object argument,
   * gets every bad value in turn.
   */
  valid?: () => unknown[];
  /** Bad values that are legitimate at a position (e.g. `undefined` for an optional argument is fine anyway). */
  skip?: SkipTable;
  /** Plain-object positions whose unknown keys are passed on (not rejected): position -> reason. */
  openKeys?: Record<number, string>;
  /** Cases that must throw a typed error. */
  bad?: BadCase[];
  /** NaN in gives NaN out, as the export's docs say (where they say it). */
  nanPropagates?: string;
  /** Valid arguments except for NaN values: a typed error, or NaN out when `nanPropagates`. */
  nanCase?: () => unknown[];
}

/** A method called on an object made from valid arguments (a layer's `apply`, a quantizer's `call`). */
export interface InstanceTable extends CallTable {
  label: string;
  make: () => unknown;
  method: string;
}

export interface ExportSpec extends CallTable {
  /** No bad calls at all (the reason: it legitimately accepts anything). */
  acceptsAnything?: string;
  /** No generic garbage calls (the reason: e.g. it would switch the backend or read the file system). */
  noGeneric?: string;
  /** Method tables on instances. */
  instances?: InstanceTable[];
}

export type PackageSpecs = Record<string, ExportSpec>;

/**
 * Exports in files owned by someone else right now: their untyped findings are listed in the
 * report, not counted as failures. Keys: `package:export`, value: the file.
 */
export type PendingTable = Record<string, string>;
