// A DSR drill's report: what the drill did per data system and whether it passed. Pure types.

export interface DrillSystemResult {
  system: string;
  kind: string;
  /** drilled | skipped (no seed rows) | failed */
  status: string;
  seeded: number;
  exported: number;
  /** Seeded rows the export did not contain, as `table {key}`. */
  missing: string[];
  /** Exported rows that were not seeded: another person's data in the package. */
  foreign: { table: string; rows: number }[];
  /** Rows left after erasure in tables that are not retained. */
  residue: number;
  retained: { table: string; rows: number; basis: string | null }[];
  exportMs: number;
  eraseMs: number;
}

export interface DrillReport {
  id: string;
  reference: string;
  startedAt: string;
  passed: boolean;
  exportComplete: boolean;
  /** Residue rows in tables that should be empty of the subject. */
  residue: number;
  durationMs: number;
  withinSla: boolean;
  exportSha256: string | null;
  systems: DrillSystemResult[];
  failures: string[];
  evidenceId: string | null;
}
