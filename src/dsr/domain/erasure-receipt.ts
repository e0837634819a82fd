// The erasure receipt and the residue verdict: pure rules (the erasure service gathers the inputs).
import { DAY_MS } from '../../common/time/days';
import type { ErasureMethod } from './data-map';
import { backupsExpireAt } from './dsr-clocks';
import { anonymisationAllowed } from './dsr-grounds';

/** What erasure did to one table (the connectors' TableErasure, restated here: domain/ imports no connector). */
export interface ErasedTable {
  table: string;
  rule: 'delete' | 'anonymise' | 'retain';
  rows: number;
  insteadOf?: 'delete' | 'anonymise' | 'retain';
  basis?: string;
  retention?: string;
}

/** What a residue check found in one table (the connectors' TableResidue). */
export interface ResidueTable {
  table: string;
  rows: number;
  retained: boolean;
  basis?: string;
}

export interface ReceiptInput {
  request: {
    reference: string;
    right: string;
    ground: string | null;
    receivedAt: Date;
    statutoryDueAt: Date | null;
  };
  erasedAt: Date;
  erasures: { system: string; tables: ErasedTable[] }[];
  residue: { system: string; tables: ResidueTable[] }[];
  manualPending: string[];
  /** Per system, the map's method for each anonymised table (pseudonymised when retained rows still link it). */
  methods: Map<string, Map<string, { method: ErasureMethod; linkedBy: string[] }>>;
  backupRetentionDays: number;
}

export type ErasureReceipt = ReturnType<typeof erasureReceipt>;

/** Residue the map does not retain, as `system.table (n rows)`: erasure is complete when there is none. */
export function residueLeft(residue: { system: string; tables: ResidueTable[] }[]): string[] {
  return residue.flatMap((r) =>
    r.tables
      .filter((t) => !t.retained && t.rows > 0)
      .map((t) => `${r.system}.${t.table} (${t.rows} row${t.rows === 1 ? '' : 's'})`),
  );
}

/**
 * The erasure receipt (no identity). Per table the method actually used — deleted, anonymised,
 * pseudonymised (identifiers blanked but still linked by retained rows) or retained with its basis — what
 * remains and where, and whether the subject must be told that a method other than deletion was used
 * (PDPC erasure notification 2024; never anonymisation when the ground is unlawful processing).
 */
export function erasureReceipt(input: ReceiptInput) {
  const { request: row, erasedAt: now } = input;
  const expires = backupsExpireAt(now, input.backupRetentionDays);
  const statutory = row.statutoryDueAt ?? new Date(row.receivedAt.getTime() + 90 * DAY_MS);
  const systems = receiptSystems(input);
  const all = systems.flatMap((e) => e.tables);
  const sum = (method: ErasureMethod) => all.filter((t) => t.method === method).reduce((n, t) => n + t.rows, 0);
  const remains = remaining(systems);
  return {
    reference: row.reference,
    right: row.right,
    ground: row.ground,
    anonymisationAllowed: anonymisationAllowed(row.ground),
    receivedAt: row.receivedAt.toISOString(),
    erasedAt: now.toISOString(),
    systems,
    residue: input.residue.map((r) => ({
      system: r.system,
      tables: r.tables
        .filter((t) => t.rows > 0)
        .map((t) => ({ table: t.table, rows: t.rows, retained: t.retained, ...(t.basis ? { basis: t.basis } : {}) })),
    })),
    totals: {
      deleted: sum('delete'),
      anonymised: sum('anonymise'),
      pseudonymised: sum('pseudonymise'),
      retained: sum('retain'),
    },
    remains,
    /** The subject is told when a method other than deletion was used (PDPC erasure notification 2024). */
    subjectToBeTold: remains.length > 0,
    manualPending: input.manualPending,
    backups: {
      retentionDays: input.backupRetentionDays,
      expireAt: expires.toISOString(),
      statutoryDeadline: statutory.toISOString(),
      withinStatutoryPeriod: expires.getTime() <= statutory.getTime(),
    },
  };
}

function receiptSystems(input: ReceiptInput) {
  return input.erasures.map((e) => ({
    system: e.system,
    tables: e.tables.map((t) => {
      const mapped = t.rule === 'anonymise' ? input.methods.get(e.system)?.get(t.table) : undefined;
      const method: ErasureMethod = mapped?.method ?? t.rule;
      return {
        table: t.table,
        rule: t.rule,
        method,
        rows: t.rows,
        ...(t.insteadOf ? { insteadOf: t.insteadOf } : {}),
        ...(mapped?.linkedBy.length ? { linkedBy: mapped.linkedBy } : {}),
        ...(t.basis ? { basis: t.basis } : {}),
        ...(t.retention ? { retention: t.retention } : {}),
      };
    }),
  }));
}

// What stays of the subject, where, and on what basis (the residue check finds rows by identifiers only).
function remaining(systems: ReturnType<typeof receiptSystems>) {
  return systems.flatMap((e) =>
    e.tables
      .filter((t) => t.method !== 'delete' && t.rows > 0)
      .map((t) => ({
        system: e.system,
        table: t.table,
        method: t.method,
        rows: t.rows,
        ...(t.basis ? { basis: t.basis } : {}),
        ...(t.retention ? { retention: t.retention } : {}),
        ...(t.linkedBy ? { linkedBy: t.linkedBy } : {}),
      })),
  );
}
