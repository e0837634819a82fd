// PDPA clocks for data subject requests: pure rules, no Nest or TypeORM.
// Sources: docs/regulatory-sources.md, "Data subject requests" (PDPA s. 30 para 4: access within 30 days;
// s. 32 para 2: an objection's data separated at once; PDPC erasure notification B.E. 2567 (2024): erasure
// within 90 days of receipt including copies and backups).
import { DAY_MS } from '../../common/time/days';

export const DSR_RIGHTS = [
  'access',
  'portability',
  'objection',
  'erasure',
  'restriction',
  'rectification',
  'withdraw_consent',
] as const;
export type DsrRight = (typeof DSR_RIGHTS)[number];

/** The statute behind each right, as shown to people. */
export const RIGHT_SECTION: Record<DsrRight, string> = {
  access: 'PDPA s. 30',
  portability: 'PDPA s. 31',
  objection: 'PDPA s. 32',
  erasure: 'PDPA s. 33',
  restriction: 'PDPA s. 34',
  rectification: 'PDPA ss. 35–36',
  withdraw_consent: 'PDPA s. 19',
};

/**
 * Statutory period per right, in days from receipt: access 30 (s. 30 para 4), erasure 90 including backups
 * (PDPC notification 2024). An objection has no day count: its statutory measure is the time from receipt
 * to separation applied (s. 32 para 2; see `separationDueAt`). The others have no statutory period.
 */
export const STATUTORY_DAYS: Record<DsrRight, number | null> = {
  access: 30,
  portability: null,
  objection: null,
  erasure: 90,
  restriction: null,
  rectification: null,
  withdraw_consent: null,
};

/** The company's internal SLA for every right. */
export const INTERNAL_SLA_DAYS = 7;

/** Refusals of these rights must be recorded in the record of processing (PDPA s. 39(7)). */
export const ROPA_RECORDED_REFUSALS: readonly DsrRight[] = ['access', 'portability', 'objection', 'rectification'];

/**
 * An objection's separation is applied by the system the moment it is owed (at receipt for direct marketing,
 * at identity verification otherwise). If it is still not applied this long after (a connector failed, a
 * manual task waits), the statutory clock is overdue and compliance managers are told.
 */
export const SEPARATION_ALERT_MS = 3_600_000;

/** When an objection's separation, owed from `owedFrom` (null: not owed yet), becomes overdue. */
export function separationDueAt(owedFrom: Date | null): Date | null {
  return owedFrom === null ? null : new Date(owedFrom.getTime() + SEPARATION_ALERT_MS);
}

export interface DsrDeadlines {
  /** Internal SLA: receipt + 7 days. */
  dueAt: Date;
  /** Statutory deadline, or null when the right has none (objection: see `separationDueAt`). */
  statutoryDueAt: Date | null;
}

export function deadlines(right: DsrRight, receivedAt: Date, internalDays = INTERNAL_SLA_DAYS): DsrDeadlines {
  const statutory = STATUTORY_DAYS[right];
  return {
    dueAt: new Date(receivedAt.getTime() + internalDays * DAY_MS),
    statutoryDueAt: statutory === null ? null : new Date(receivedAt.getTime() + statutory * DAY_MS),
  };
}

/** `not_owed`: an objection whose separation is not owed (yet): identity unverified, ground not direct marketing. */
export type ClockState = 'ok' | 'due_soon' | 'overdue' | 'met' | 'missed' | 'not_owed';

export interface Clock {
  /** The deadline; for an objection, when separation becomes overdue (null while it is not owed). */
  dueAt: string | null;
  /** Milliseconds left (negative when late); null once the request is closed or the clock stopped. */
  remainingMs: number | null;
  state: ClockState;
  /** `separation` (objection): the measure is `elapsedMs`, from receipt to separation applied (or to now). */
  measure?: 'deadline' | 'separation';
  elapsedMs?: number;
}

export interface ClockInput {
  /** Needed to tell an objection's separation clock from a deadline. */
  right?: string;
  dueAt: Date;
  statutoryDueAt: Date | null;
  receivedAt: Date;
  verifiedAt: Date | null;
  closedAt: Date | null;
  /** Objection: when separation was applied in every system. */
  separatedAt?: Date | null;
}

export interface ClockView {
  internal: Clock;
  statutory: Clock | null;
  /** Time between receipt and identity verification (still running while unverified). */
  identityWaitMs: number;
}

/** Within this much of a deadline a clock is `due_soon` and the privacy officer is reminded. */
export const DUE_SOON_MS = 2 * DAY_MS;

function clock(dueAt: Date, closedAt: Date | null, now: Date): Clock {
  if (closedAt)
    return {
      dueAt: dueAt.toISOString(),
      remainingMs: null,
      state: closedAt.getTime() <= dueAt.getTime() ? 'met' : 'missed',
    };
  const remainingMs = dueAt.getTime() - now.getTime();
  return {
    dueAt: dueAt.toISOString(),
    remainingMs,
    state: remainingMs < 0 ? 'overdue' : remainingMs <= DUE_SOON_MS ? 'due_soon' : 'ok',
  };
}

/**
 * An objection's statutory clock (s. 32 para 2): receipt → separation applied, never measured to closing.
 * Met once separation is applied; while it is owed and not applied it runs towards `statutoryDueAt` (owed +
 * SEPARATION_ALERT_MS) and is overdue after; a request closed while separation was owed and not applied
 * missed it; separation never owed (identity never verified, not direct marketing) is `not_owed`.
 */
function separationClock(input: ClockInput, now: Date): Clock {
  const dueAt = input.statutoryDueAt?.toISOString() ?? null;
  const base = { dueAt, measure: 'separation' as const };
  if (input.separatedAt)
    return {
      ...base,
      remainingMs: null,
      state: 'met',
      elapsedMs: input.separatedAt.getTime() - input.receivedAt.getTime(),
    };
  const until = input.closedAt ?? now;
  const elapsedMs = until.getTime() - input.receivedAt.getTime();
  if (!input.statutoryDueAt) return { ...base, remainingMs: null, state: 'not_owed', elapsedMs };
  if (input.closedAt) return { ...base, remainingMs: null, state: 'missed', elapsedMs };
  const remainingMs = input.statutoryDueAt.getTime() - now.getTime();
  return { ...base, remainingMs, state: remainingMs < 0 ? 'overdue' : 'ok', elapsedMs };
}

export function clocks(input: ClockInput, now: Date): ClockView {
  return {
    internal: clock(input.dueAt, input.closedAt, now),
    statutory:
      input.right === 'objection'
        ? separationClock(input, now)
        : input.statutoryDueAt
          ? clock(input.statutoryDueAt, input.closedAt, now)
          : null,
    identityWaitMs: (input.verifiedAt ?? input.closedAt ?? now).getTime() - input.receivedAt.getTime(),
  };
}

/** "3d 4h left", "2h late": for pages and e-mails. */
export function describeRemaining(ms: number | null): string {
  if (ms === null) return 'closed';
  const abs = Math.abs(ms);
  const d = Math.floor(abs / DAY_MS);
  const h = Math.floor((abs % DAY_MS) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
  return ms < 0 ? `${text} late` : `${text} left`;
}

export type Alert = { kind: 'reminder' | 'escalation'; clock: 'internal' | 'statutory'; dueAt: string };

/**
 * What the privacy officer should be told now about an open request: a reminder when a clock is due
 * soon, an escalation (to compliance managers too) when the internal SLA is missed or the statutory clock
 * is due soon or missed. Each alert is keyed so it is raised once.
 */
export function alertsFor(view: ClockView): Alert[] {
  const out: Alert[] = [];
  const internalDue = view.internal.dueAt!;
  if (view.internal.state === 'due_soon') out.push({ kind: 'reminder', clock: 'internal', dueAt: internalDue });
  if (view.internal.state === 'overdue') out.push({ kind: 'escalation', clock: 'internal', dueAt: internalDue });
  if (view.statutory?.dueAt && (view.statutory.state === 'due_soon' || view.statutory.state === 'overdue')) {
    out.push({ kind: 'escalation', clock: 'statutory', dueAt: view.statutory.dueAt });
  }
  return out;
}

/** When the backups taken up to `erasedAt` have all expired: the last copy of the subject is gone then. */
export function backupsExpireAt(erasedAt: Date, backupRetentionDays: number): Date {
  return new Date(erasedAt.getTime() + backupRetentionDays * DAY_MS);
}

/** How a set of requests fared against their clocks: counts only, never identity (audit packs). */
export interface DsrClockStatistics {
  received: number;
  closed: number;
  open: number;
  /**
   * Closed within the internal SLA / the statutory deadline, and missed (or overdue while open). An
   * objection counts as statutory met once its data was separated (measured from receipt, not to closing).
   */
  metInternal: number;
  missedInternal: number;
  metStatutory: number;
  missedStatutory: number;
  byRight: Record<string, number>;
  /** Objections (s. 32 para 2): separated by `asOf`, not owed (identity unverified), longest receipt → separation. */
  objections: { received: number; separated: number; notOwed: number; longestSeparationMs: number | null };
}

/** The clock statistics of `requests` as they stood at `asOf`: a request closed (or separated) after `asOf` had not been. */
export function clockStatistics(
  requests: (Omit<ClockInput, 'closedAt' | 'right'> & { right: string; closedAt: Date | null })[],
  asOf: Date,
): DsrClockStatistics {
  const out: DsrClockStatistics = {
    received: requests.length,
    closed: 0,
    open: 0,
    metInternal: 0,
    missedInternal: 0,
    metStatutory: 0,
    missedStatutory: 0,
    byRight: {},
    objections: { received: 0, separated: 0, notOwed: 0, longestSeparationMs: null },
  };
  const asOfOrNull = (d: Date | null | undefined) => (d && d <= asOf ? d : null);
  for (const r of requests) {
    const closedAt = asOfOrNull(r.closedAt);
    const c = clocks(
      { ...r, closedAt, verifiedAt: asOfOrNull(r.verifiedAt), separatedAt: asOfOrNull(r.separatedAt) },
      asOf,
    );
    if (r.right === 'objection') {
      out.objections.received++;
      if (c.statutory?.state === 'met') {
        out.objections.separated++;
        out.objections.longestSeparationMs = Math.max(
          out.objections.longestSeparationMs ?? 0,
          c.statutory.elapsedMs ?? 0,
        );
      }
      if (c.statutory?.state === 'not_owed') out.objections.notOwed++;
    }
    if (closedAt) out.closed++;
    else out.open++;
    if (c.internal.state === 'met') out.metInternal++;
    if (c.internal.state === 'missed' || c.internal.state === 'overdue') out.missedInternal++;
    if (c.statutory?.state === 'met') out.metStatutory++;
    if (c.statutory?.state === 'missed' || c.statutory?.state === 'overdue') out.missedStatutory++;
    out.byRight[r.right] = (out.byRight[r.right] ?? 0) + 1;
  }
  return out;
}
