// What the policy evidence says about a period (issue 17): which versions were in force, and how many of the
// people asked had acknowledged the version that counted, as the records stood at an instant. Pure: the
// callers pass rows; instants are UTC, periods are [start, end) with end exclusive (00:00 of the day after).

/** A version's publication window. */
export interface VersionWindow {
  number: number;
  material: boolean;
  publishedAt: Date | null;
  supersededAt: Date | null;
}

/**
 * Whether a version was in force at some instant of [start, end): published before `end` and not superseded
 * before `start` (a version superseded exactly at `start` was no longer in force during the period).
 */
export function inForceDuring(v: VersionWindow, start: Date, end: Date): boolean {
  if (!v.publishedAt || v.publishedAt.getTime() >= end.getTime()) return false;
  return !v.supersededAt || v.supersededAt.getTime() > start.getTime();
}

/** An acknowledgement task as stored. */
export interface TaskRecord {
  userId: string;
  versionNumber: number;
  createdAt: Date;
  dueAt: Date;
  acknowledgedAt: Date | null;
}

export interface AcknowledgementCounts {
  /** The newest material version published before the instant: whose acknowledgement counted. */
  basisVersion: number | null;
  /** People holding a task for the basis version or a later one, created before the instant. */
  asked: number;
  acknowledged: number;
  /** Not acknowledged and due before the instant. */
  overdue: number;
  pending: number;
}

/** The counts with the rate: acknowledged / asked in percent, one decimal; null when nobody was asked. */
export type AcknowledgementSummary = AcknowledgementCounts & { ratePercent: number | null };

/**
 * The acknowledgement counts as the records stood just before `at` (a period's exclusive end): the basis
 * is the newest material version published before `at`; each person holding a task for it or a later
 * version created before `at` counts once (their newest such task): acknowledged when it was acknowledged
 * before `at`, else overdue when its due time had passed, else pending. An acknowledgement or a task made at
 * `at` or later does not count; a task for an older version (a later material change asked again) does not
 * either.
 */
export function acknowledgementsAt(
  versions: readonly VersionWindow[],
  tasks: readonly TaskRecord[],
  at: Date,
): AcknowledgementCounts {
  const t = at.getTime();
  let basis: number | null = null;
  for (const v of versions)
    if (v.material && v.publishedAt && v.publishedAt.getTime() < t && (basis === null || v.number > basis))
      basis = v.number;
  const counts: AcknowledgementCounts = { basisVersion: basis, asked: 0, acknowledged: 0, overdue: 0, pending: 0 };
  if (basis === null) return counts;
  const newest = new Map<string, TaskRecord>();
  for (const task of tasks) {
    if (task.versionNumber < basis || task.createdAt.getTime() >= t) continue;
    const held = newest.get(task.userId);
    if (!held || task.versionNumber > held.versionNumber) newest.set(task.userId, task);
  }
  for (const task of newest.values()) {
    counts.asked++;
    if (task.acknowledgedAt && task.acknowledgedAt.getTime() < t) counts.acknowledged++;
    // Overdue strictly after the due time (acknowledgementState): at `at`, a task due before it is late.
    else if (t > task.dueAt.getTime()) counts.overdue++;
    else counts.pending++;
  }
  return counts;
}

/**
 * The share acknowledged, in percent with one decimal (half up), from the counts it is printed with; null
 * when nobody was asked.
 */
export function acknowledgementRate(c: { asked: number; acknowledged: number }): number | null {
  if (c.asked === 0) return null;
  return Math.round((c.acknowledged * 1000) / c.asked) / 10;
}
