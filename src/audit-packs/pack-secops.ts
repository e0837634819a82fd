// The audit pack's security-operations registers (issue 18): the findings register and the keys register as
// they stood at one moment, `asOf` — the period's end, or the build if the period had not ended (the rule
// of the controls' freshness). What was recorded after it (a fix, a retest, an acceptance, a rotation) is
// left out, and the clocks are computed at that moment with the registers' own clock functions. Every count
// is derived from the rows the section lists. Never a secret's value: the keys register holds none.
// Pure: no Nest, no TypeORM.
import { dayOf } from '../common/time/days';
import { complianceTimeZone } from '../common/time/zone';
import { CLOSED_STATUSES, acceptanceHolds, type FindingStatus } from '../findings/domain/finding-model';
import type { FindingRegisterRecords } from '../findings/findings.service';
import type { Finding, FindingAcceptance } from '../findings/finding.entity';
import { clockOf } from '../keys/domain/key-clock';
import type { KeyRegisterRecords } from '../keys/keys.service';
import { findingClock } from '../releases/domain/secops-clocks';
import type { FreshnessAsOf } from './domain/pack-period';
import type { PackAcceptance, PackFinding, PackFindings, PackKey, PackKeys } from './pack-model';

const before = (d: Date | null, at: Date): d is Date => d !== null && d.getTime() <= at.getTime();
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function findingRef(f: Pick<Finding, 'id'>): string {
  return `F-${f.id.slice(0, 8)}`;
}

/**
 * The acceptance a finding relied on at `at`: its newest acceptance signed by then, unless a retest by then
 * came after it (the finding was fixed after the acceptance, which ended the exception, and its retest
 * failed: open on its own again). Null when none was signed by then. A fix still standing at `at` is
 * stated by the status (findingStatusAt), not here.
 */
export function acceptanceAt(
  f: Pick<Finding, 'retestedAt'>,
  acceptances: readonly FindingAcceptance[],
  at: Date,
): FindingAcceptance | null {
  const newest = acceptances
    .filter((a) => before(a.signedAt, at))
    .sort((a, b) => b.signedAt.getTime() - a.signedAt.getTime())[0];
  if (!newest) return null;
  const retestedAfter = before(f.retestedAt, at) && f.retestedAt.getTime() > newest.signedAt.getTime();
  return retestedAfter ? null : newest;
}

/**
 * The finding's status at `at`. Closed by then (closed-at ≤ at): its closed status now, except a finding
 * closed by a retest after `at` was still `fixed` then. Otherwise `accepted` while an acceptance signed by
 * then held on that day, else `open`.
 */
export function findingStatusAt(
  f: Pick<Finding, 'status' | 'closedAt' | 'retestedAt'>,
  acceptance: FindingAcceptance | null,
  at: Date,
  zone?: string,
): { status: FindingStatus; closedAt: Date | null } {
  if (before(f.closedAt, at)) {
    if (f.status === 'closed' && f.retestedAt && !before(f.retestedAt, at))
      return { status: 'fixed', closedAt: f.closedAt };
    return { status: CLOSED_STATUSES.includes(f.status) ? f.status : 'fixed', closedAt: f.closedAt };
  }
  const holds = acceptance !== null && acceptanceHolds(acceptance.expiresOn, dayOf(at, zone));
  return { status: holds ? 'accepted' : 'open', closedAt: null };
}

export function packAcceptance(
  a: FindingAcceptance,
  names: Map<string, string>,
  at: Date,
  zone?: string,
): PackAcceptance {
  return {
    reason: a.reason,
    expiresOn: a.expiresOn,
    holds: acceptanceHolds(a.expiresOn, dayOf(at, zone)),
    signer: names.get(a.signerUserId) ?? `user:${a.signerUserId}`,
    role: a.signerRole,
    signedAt: a.signedAt.toISOString(),
    recordSha256: a.recordSha256,
  };
}

/**
 * Accepted exceptions at `at`, per product and scanner fingerprint: the findings whose status then was
 * `accepted` (the release gate passes over them), with the acceptance they relied on.
 */
export function acceptedExceptionsAt(
  r: FindingRegisterRecords,
  at: Date,
  zone?: string,
): Map<string, Map<string, PackAcceptance>> {
  const out = new Map<string, Map<string, PackAcceptance>>();
  for (const f of r.findings) {
    if (!f.fingerprint || !before(f.openedAt, at)) continue;
    const a = acceptanceAt(f, acceptancesOf(r, f.id), at);
    if (findingStatusAt(f, a, at, zone).status !== 'accepted') continue;
    const forProduct = out.get(f.product) ?? new Map<string, PackAcceptance>();
    forProduct.set(f.fingerprint, packAcceptance(a!, r.names, at, zone));
    out.set(f.product, forProduct);
  }
  return out;
}

function acceptancesOf(r: FindingRegisterRecords, findingId: string): FindingAcceptance[] {
  return r.acceptances.filter((a) => a.findingId === findingId);
}

function sourceText(f: Finding, r: FindingRegisterRecords): string {
  if (f.source !== 'pen_test') return f.source;
  const p = r.penTests.find((t) => t.id === f.penTestId);
  return p ? `pen_test: ${p.vendor}, ${p.title} (${p.startsOn} to ${p.endsOn})` : 'pen_test';
}

/**
 * The findings register section: every finding open at some time of [start, asOf] (opened by `asOf`, not
 * closed before `start`), oldest first, with its status, SLA clock and acceptance as of `asOf`.
 */
export function packFindings(r: FindingRegisterRecords, start: Date, asOf: FreshnessAsOf, zone?: string): PackFindings {
  const at = new Date(asOf.at);
  const findings: PackFinding[] = [];
  const rows = [...r.findings].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.id.localeCompare(b.id));
  for (const f of rows) {
    if (!before(f.openedAt, at)) continue;
    const acceptance = acceptanceAt(f, acceptancesOf(r, f.id), at);
    const then = findingStatusAt(f, acceptance, at, zone);
    if (then.closedAt && then.closedAt.getTime() < start.getTime()) continue;
    const clock = findingClock(f.openedAt, r.slaDays[f.severity], at, zone ?? complianceTimeZone(), then.closedAt);
    findings.push({
      ref: findingRef(f),
      title: f.title,
      source: sourceText(f, r),
      severity: f.severity,
      product: f.product,
      department: f.department,
      openedAt: f.openedAt.toISOString(),
      dueAt: clock.dueAt.toISOString(),
      status: then.status,
      closedAt: iso(then.closedAt),
      sla:
        then.status === 'accepted'
          ? 'excepted'
          : clock.state === 'open' || clock.state === 'due_soon'
            ? 'running'
            : clock.state,
      acceptance: acceptance ? packAcceptance(acceptance, r.names, at, zone) : null,
    });
  }
  return { asOf, findings, counts: findingCounts(findings, start) };
}

/** The section's counts, from its rows only (so an auditor can check each against the table). */
export function findingCounts(findings: PackFinding[], start: Date): PackFindings['counts'] {
  const tally = (key: (f: PackFinding) => string) => {
    const out: Record<string, number> = {};
    for (const f of findings) out[key(f)] = (out[key(f)] ?? 0) + 1;
    return out;
  };
  const sla = { closed_in_time: 0, closed_late: 0, overdue: 0, running: 0, excepted: 0 };
  for (const f of findings) sla[f.sla] += 1;
  return {
    findings: findings.length,
    openedInPeriod: findings.filter((f) => Date.parse(f.openedAt) >= start.getTime()).length,
    closedInPeriod: findings.filter((f) => f.closedAt !== null).length,
    bySeverity: tally((f) => f.severity),
    byStatus: tally((f) => f.status),
    sla,
    acceptances: findings.filter((f) => f.acceptance).length,
    acceptancesHolding: findings.filter((f) => f.acceptance?.holds).length,
  };
}

/**
 * The keys register section: every key registered by `asOf`, by name, with its last rotation recorded by
 * then, its rotation clock at `asOf` and the rotations recorded in [start, asOf].
 */
export function packKeys(r: KeyRegisterRecords, start: Date, asOf: FreshnessAsOf, zone?: string): PackKeys {
  const at = new Date(asOf.at);
  const keys: PackKey[] = [];
  for (const k of [...r.keys].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!before(k.createdAt, at)) continue;
    const rotations = r.rotations.filter((x) => x.keyId === k.id && before(x.rotatedAt, at));
    const last = rotations.reduce<Date | null>((m, x) => (m && m >= x.rotatedAt ? m : x.rotatedAt), null);
    const clock = clockOf({ ...k, lastRotatedAt: last }, r.defaults, at, zone ?? complianceTimeZone());
    keys.push({
      name: k.name,
      system: k.system,
      kind: k.kind,
      owner: r.names.get(k.ownerUserId) ?? `user:${k.ownerUserId}`,
      department: k.department,
      intervalDays: clock.intervalDays,
      lastRotatedAt: iso(last),
      dueAt: clock.dueAt.toISOString(),
      state: clock.state,
      rotationsInPeriod: rotations.filter((x) => x.rotatedAt.getTime() >= start.getTime()).length,
    });
  }
  const n = (s: PackKey['state']) => keys.filter((k) => k.state === s).length;
  return {
    asOf,
    keys,
    counts: {
      keys: keys.length,
      ok: n('ok'),
      dueSoon: n('due_soon'),
      overdue: n('overdue'),
      rotationsInPeriod: keys.reduce((s, k) => s + k.rotationsInPeriod, 0),
    },
  };
}
