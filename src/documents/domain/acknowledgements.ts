// Acknowledgement rules (issue 17): who a document applies to, when an acknowledgement is due, what state a
// task is in, and which version a person must have acknowledged. Pure; times in the compliance time zone.
import { stringify } from 'csv-stringify/sync';
import { addDays, localDate, zonedInstant } from '../../common/time/calendar';

/** Days to acknowledge a material version, unless the document type says otherwise (`acknowledgeWithinDays`). */
export const DEFAULT_ACKNOWLEDGE_WITHIN_DAYS = 14;

/** A reminder goes this many days before the due time. */
export const ACKNOWLEDGE_REMIND_DAYS_BEFORE = 3;

export interface Audience {
  everyone: boolean;
  roles: readonly string[];
  departments: readonly string[];
}

export interface Person {
  role: string;
  departmentKey: string | null;
  active: boolean;
}

/**
 * Whether a document applies to a person: active users only; "everyone" is the company's own people, so not
 * external auditors; else their role or their department is named.
 */
export function inAudience(p: Person, a: Audience): boolean {
  if (!p.active) return false;
  if (a.everyone && p.role !== 'auditor') return true;
  if (a.roles.includes(p.role)) return true;
  return p.departmentKey !== null && a.departments.includes(p.departmentKey);
}

/** Due at 23:59 local time `days` calendar days after the local day of `from`. */
export function acknowledgementDueAt(from: Date, days: number): Date {
  return zonedInstant(addDays(localDate(from), days), 23, 59);
}

export type AcknowledgementState = 'acknowledged' | 'pending' | 'overdue';
export const ACKNOWLEDGEMENT_STATES: readonly AcknowledgementState[] = ['acknowledged', 'pending', 'overdue'];

/** Acknowledged once acknowledged; otherwise overdue strictly after its due time. */
export function acknowledgementState(t: { acknowledgedAt: Date | null; dueAt: Date }, now: Date): AcknowledgementState {
  if (t.acknowledgedAt) return 'acknowledged';
  return now.getTime() > t.dueAt.getTime() ? 'overdue' : 'pending';
}

/** A pending task is reminded from `ACKNOWLEDGE_REMIND_DAYS_BEFORE` days before its due time until it is due. */
export function reminderDue(t: { acknowledgedAt: Date | null; dueAt: Date }, now: Date): boolean {
  if (t.acknowledgedAt) return false;
  const from = t.dueAt.getTime() - ACKNOWLEDGE_REMIND_DAYS_BEFORE * 86_400_000;
  return now.getTime() >= from && now.getTime() <= t.dueAt.getTime();
}

/**
 * The version whose acknowledgement counts: the newest material version ever published (published, superseded
 * or retired since). A task for it or a later version is current; one for an older version is stale (a newer
 * material change asks again). Null when no material version was ever published: nobody is asked.
 */
export function acknowledgementBasis(
  versions: readonly { number: number; material: boolean; publishedAt: Date | null }[],
): number | null {
  let basis: number | null = null;
  for (const v of versions) if (v.material && v.publishedAt && (basis === null || v.number > basis)) basis = v.number;
  return basis;
}

export interface RosterCsvRow {
  name: string;
  email: string | null;
  department: string | null;
  role: string;
  status: AcknowledgementState;
  version: number | null;
  sha256: string | null;
  dueAt: Date | null;
  acknowledgedAt: Date | null;
}

const ROSTER_COLUMNS = [
  'name',
  'email',
  'department',
  'role',
  'status',
  'version',
  'sha256',
  'due_at',
  'acknowledged_at',
];

/**
 * A roster as CSV (UTF-8 with a BOM, so spreadsheets read Thai names). A cell a spreadsheet would run as a
 * formula (starting with = + - @ tab or CR) is prefixed with ', as the other CSV exports do.
 */
export function rosterCsv(rows: readonly RosterCsvRow[]): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    const s = String(v);
    return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  };
  const records = [
    ROSTER_COLUMNS,
    ...rows.map((r) =>
      [
        r.name,
        r.email,
        r.department,
        r.role,
        r.status,
        r.version,
        r.sha256,
        r.dueAt?.toISOString() ?? null,
        r.acknowledgedAt?.toISOString() ?? null,
      ].map(cell),
    ),
  ];
  return stringify(records, { bom: true, record_delimiter: 'windows' });
}
