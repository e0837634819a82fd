// What a catalog sync has to write, decided in memory from the stored rows before anything is written, so
// the writes can be a few set-based statements. Keeps the order of the report and of the audit entries
// (each framework, its requirements, its retired requirements; retired frameworks; controls; retired controls).
import canonicalize from 'canonicalize';
import type { AuditEntryInput, JsonObject } from '../audit-trail/domain/audit-entry';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-trail/domain/audit-actions';
import { changedFields } from './domain/content-hash';

export interface SyncReport {
  created: string[];
  updated: string[];
  retired: string[];
  unchanged: number;
}

export type SyncKind = 'Framework' | 'Requirement' | 'Control';

/** The columns every synced row has. */
export interface StoredItem {
  id: string;
  version: number;
  contentHash: string;
  retiredAt: Date | null;
}

/** One item of the catalog against its stored row (if any). `values` are the columns the catalog sets. */
export interface DesiredItem<E extends StoredItem> {
  /** The key, or `framework:ref` for a requirement: what the report and the audit entry name. */
  label: string;
  existing: E | undefined;
  hash: string;
  content: Record<string, unknown>;
  /** The stored row's content, in the shape of `content` (for the names of the changed fields). */
  before: (e: E) => Record<string, unknown>;
  values: Record<string, unknown>;
}

/** A row to insert or update: the catalog's values with the version and hash it gets. */
export interface PlannedRow {
  label: string;
  values: Record<string, unknown>;
  version: number;
  contentHash: string;
  /** Created or changed (a new version): its control links are replaced. False: only position, file… moved. */
  changed: boolean;
}

interface Change {
  verb: 'create' | 'update' | 'retire';
  kind: SyncKind;
  label: string;
  /** Null for a created row until its id is known. */
  id: string | null;
  data: JsonObject;
}

/** `catalog.<item>_<verb>` for a synced item (Framework, Requirement, Control); one of AUDIT_ACTIONS. */
function catalogAction(kind: SyncKind, verb: Change['verb']): AuditAction {
  const action = `catalog.${kind.toLowerCase()}_${verb}`;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) throw new Error(`no audit action ${action}`);
  return action as AuditAction;
}

/** Two arrays of the same strings in the same order (anything else: false, and canonical JSON decides). */
function sameStrings(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'string' || a[i] !== b[i]) return false;
  return true;
}

/** True when a column the catalog sets differs from the stored row (a reordering, a moved file). */
function differs(existing: object, values: Record<string, unknown>): boolean {
  const stored = existing as Record<string, unknown>;
  for (const k in values) {
    const a = stored[k] ?? null;
    const b = values[k] ?? null;
    if (a === b) continue;
    if (typeof a !== 'object' || typeof b !== 'object') return true;
    if (Array.isArray(a) && Array.isArray(b) && sameStrings(a, b)) continue; // evidence guidance, quickly
    if (canonicalize(a) !== canonicalize(b)) return true;
  }
  return false;
}

export class SyncPlan {
  readonly report: SyncReport = { created: [], updated: [], retired: [], unchanged: 0 };
  private readonly changes: Change[] = [];

  /** Create, update (a new version) or unchanged for one item; returns the row to write, if any. */
  decide<E extends StoredItem>(kind: SyncKind, item: DesiredItem<E>): PlannedRow | null {
    const { label, existing, hash } = item;
    if (!existing) {
      this.record('create', kind, label, null, { key: label, version: 1 });
      this.report.created.push(label);
      return { label, values: item.values, version: 1, contentHash: hash, changed: true };
    }
    if (existing.contentHash === hash && existing.retiredAt === null) {
      this.report.unchanged++;
      if (!differs(existing, item.values)) return null;
      return { label, values: item.values, version: existing.version, contentHash: hash, changed: false };
    }
    const version = existing.version + 1;
    const fields = changedFields(item.before(existing), item.content);
    const changed = existing.retiredAt ? ['restored', ...fields] : fields;
    this.record('update', kind, label, existing.id, { key: label, version, changed });
    this.report.updated.push(label);
    return { label, values: item.values, version, contentHash: hash, changed: true };
  }

  /** Retires a stored row that left the catalog; returns its id, or null when it is retired already. */
  retire(kind: SyncKind, label: string, row: StoredItem): string | null {
    if (row.retiredAt) return null;
    this.record('retire', kind, label, row.id, { key: label, version: row.version });
    this.report.retired.push(label);
    return row.id;
  }

  get changed(): boolean {
    return this.changes.length > 0;
  }

  /** The audit entries, one per change, in order; `idOf` names the rows created by this sync. */
  auditEntries(actor: string, idOf: (kind: SyncKind, label: string) => string): AuditEntryInput[] {
    return this.changes.map((c) => ({
      actor,
      action: catalogAction(c.kind, c.verb),
      subjectType: c.kind,
      subjectId: c.id ?? idOf(c.kind, c.label),
      data: c.data,
    }));
  }

  private record(verb: Change['verb'], kind: SyncKind, label: string, id: string | null, data: JsonObject): void {
    this.changes.push({ verb, kind, label, id, data });
  }
}
