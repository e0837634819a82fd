// The contract between the DSR service and the company's data systems. A connector executes one right for
// one subject against one system; the service orchestrates systems, clocks, packages and evidence.
import type { SubjectKeys } from '../domain/dsr-model';

/** How a subject is found in a data system: normalised identifiers (null when unknown). */
/** One table's (or endpoint's) rows for the subject, with the exported columns in order. */
export interface TableExport {
  table: string;
  columns: string[];
  rows: Record<string, unknown>[];
}

export interface SystemExport {
  system: string;
  tables: TableExport[];
}

export type ErasureRule = 'delete' | 'anonymise' | 'retain';

export interface EraseOptions {
  /**
   * False when the ground is unlawful processing (PDPA s. 33(4); PDPC erasure notification 2024): rows the
   * map anonymises are deleted instead, and the step reports `rule: 'delete'` with `insteadOf: 'anonymise'`.
   */
  anonymise: boolean;
}

/** What erasure did to one table (or endpoint). */
export interface TableErasure {
  table: string;
  rule: ErasureRule;
  /** Rows deleted, anonymised, or (retain) kept. */
  rows: number;
  /** Set when the map's rule was not used (anonymise refused for unlawful processing). */
  insteadOf?: ErasureRule;
  /** For retain: the legal basis and retention period stated in the map. */
  basis?: string;
  retention?: string;
}

/** What a residue check found in one table after erasure. */
export interface TableResidue {
  table: string;
  /** Rows still linked to the subject (by identifiers, joins, or seeded keys). */
  rows: number;
  /** True when the map retains this table (then `rows` is expected and `basis` says why). */
  retained: boolean;
  basis?: string;
}

/** The synthetic rows a drill seeded into one system, by table and primary key. */
export interface SeedManifest {
  system: string;
  rows: Array<{ table: string; key: Record<string, unknown>; values: Record<string, unknown> }>;
}

/**
 * Rectification (set columns to new values), restriction (set the map's restriction flag: also an
 * objection's separation) or lifting a restriction (the map's `unrestrict` values, after a rejection).
 */
export type UpdateAction =
  { kind: 'rectify'; changes: Record<string, string> } | { kind: 'restrict' } | { kind: 'unrestrict' };

export interface TableUpdate {
  table: string;
  rows: number;
}

export interface DataSystemConnector {
  readonly kind: 'postgres' | 'http';
  /** Connects and checks every identifier/endpoint of the map; throws a validation error naming the field. */
  check(): Promise<void>;
  export(keys: SubjectKeys): Promise<SystemExport>;
  /** Applies the map's erasure rules; all or nothing inside this system. */
  erase(keys: SubjectKeys, options?: EraseOptions): Promise<TableErasure[]>;
  /** Looks for what is left of the subject in every mapped table (and in every seeded row, when given). */
  residue(keys: SubjectKeys, seed?: SeedManifest): Promise<TableResidue[]>;
  /** Rectify or restrict where the map allows it; null when the map declares nothing for this action. */
  update(keys: SubjectKeys, action: UpdateAction): Promise<TableUpdate[] | null>;
  /** Seeds the map's drill rows for a synthetic subject; null when the map declares none. */
  seed(keys: SubjectKeys): Promise<SeedManifest | null>;
  /** Removes every seeded row still present (retained or anonymised rows after a drill); returns the count. */
  removeSeed(seed: SeedManifest): Promise<number>;
  close(): Promise<void>;
}
