// PDPA clocks for data subject requests: pure rules, no Nest or TypeORM.
// Sources: ../shared/reference/domain-facts.md §1.2 and §1.11 (PDPA ss. 30–36, s. 19; PDPC erasure
// notification B.E. 2567 (2024): erasure within 90 days of receipt including copies and backups).

export const DSR_RIGHTS = ['access', 'portability', 'objection', 'erasure', 'restriction', 'rectification', 'withdraw_consent'] as const;
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
 * Statutory period per right, in days from receipt: access 30 (s. 30 para 3), erasure 90 including backups
 * (PDPC notification 2024), objection 0 (data separated at once). The others have no statutory period.
 */
export const STATUTORY_DAYS: Record<DsrRight, number | null> = {
  access: 30,
  portability: null,
  objection: 0,
  erasure: 90,
  restriction: null,
  rectification: null,
  withdraw_consent: null,
};

/** The company's internal SLA for every right. */
export const INTERNAL_SLA_DAYS = 7;

/** Refusals of these rights must be recorded in the record of processing (PDPA s. 39(7)). */
export const ROPA_RECORDED_REFUSALS: readonly DsrRight[] = ['access', 'portability', 'objection', 'rectification'];

const DAY_MS = 86_400_000;

export interface DsrDeadlines {
  /** Internal SLA: receipt + 7 days. */
  dueAt: Date;
  /** Statutory deadline, or null when the right has none. */
  statutoryDueAt: Date | null;
}

export function deadlines(right: DsrRight, receivedAt: Date, internalDays = INTERNAL_SLA_DAYS): DsrDeadlines {
  const statutory = STATUTORY_DAYS[right];
  return {
    dueAt: new Date(receivedAt.getTime() + internalDays * DAY_MS),
    statutoryDueAt: statutory === null ? null : new Date(receivedAt.getTime() + statutory * DAY_MS),
  };
}

export type ClockState = 'ok' | 'due_soon' | 'overdue' | 'met' | 'missed';

export interface Clock {
  dueAt: string;
  /** Milliseconds left (negative when late); null once the request is closed. */
  remainingMs: number | null;
  state: ClockState;
}

export interface ClockInput {
  dueAt: Date;
  statutoryDueAt: Date | null;
  receivedAt: Date;
  verifiedAt: Date | null;
  closedAt: Date | null;
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
  if (closedAt) return { dueAt: dueAt.toISOString(), remainingMs: null, state: closedAt.getTime() <= dueAt.getTime() ? 'met' : 'missed' };
  const remainingMs = dueAt.getTime() - now.getTime();
  return { dueAt: dueAt.toISOString(), remainingMs, state: remainingMs < 0 ? 'overdue' : remainingMs <= DUE_SOON_MS ? 'due_soon' : 'ok' };
}

export function clocks(input: ClockInput, now: Date): ClockView {
  return {
    internal: clock(input.dueAt, input.closedAt, now),
    statutory: input.statutoryDueAt ? clock(input.statutoryDueAt, input.closedAt, now) : null,
    identityWaitMs: ((input.verifiedAt ?? input.closedAt ?? now).getTime() - input.receivedAt.getTime()),
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
  if (view.internal.state === 'due_soon') out.push({ kind: 'reminder', clock: 'internal', dueAt: view.internal.dueAt });
  if (view.internal.state === 'overdue') out.push({ kind: 'escalation', clock: 'internal', dueAt: view.internal.dueAt });
  if (view.statutory && (view.statutory.state === 'due_soon' || view.statutory.state === 'overdue')) {
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
  /** Closed within the internal SLA / the statutory deadline, and missed (or overdue while open). */
  metInternal: number;
  missedInternal: number;
  metStatutory: number;
  missedStatutory: number;
  byRight: Record<string, number>;
}

/** The clock statistics of `requests` as they stood at `asOf`: a request closed after `asOf` counts as open. */
export function clockStatistics(requests: (Omit<ClockInput, 'closedAt'> & { right: string; closedAt: Date | null })[], asOf: Date): DsrClockStatistics {
  const out: DsrClockStatistics = { received: requests.length, closed: 0, open: 0, metInternal: 0, missedInternal: 0, metStatutory: 0, missedStatutory: 0, byRight: {} };
  for (const r of requests) {
    const closedAt = r.closedAt && r.closedAt <= asOf ? r.closedAt : null;
    const c = clocks({ ...r, closedAt }, asOf);
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
