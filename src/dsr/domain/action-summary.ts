// What one automated DSR step did, as stored on its dsr_actions row (jsonb `summary`).
import type { ErasedTable } from './erasure-receipt';

/** A table a rectification, a restriction or its lifting touched. */
export interface UpdatedTable {
  table: string;
  rows: number;
}

export interface DsrActionSummary {
  /** Erasure: each table with the rule applied; updates: each table's rows. */
  tables?: (ErasedTable | UpdatedTable)[];
  /** A skipped step: why (the data map declares nothing for it, or the system is manual). */
  reason?: string;
}
