// What the API and the pages show of a finding: its row, its SLA clock (releases/domain/secops-clocks) and
// its newest risk acceptance. Pure.
import { findingClock } from '../releases/domain/secops-clocks';
import type { FindingSeverity } from '../releases/domain/release-model';
import { dayOf } from '../common/time/days';
import { acceptanceHolds } from './domain/finding-model';
import type { AcceptanceView, FindingView, PenTestView } from './dto/finding.dto';
import type { Finding, FindingAcceptance, PenTest } from './finding.entity';

export function acceptanceView(a: FindingAcceptance, now: Date, zone: string): AcceptanceView {
  return {
    id: a.id,
    reason: a.reason,
    expiresOn: a.expiresOn,
    holds: acceptanceHolds(a.expiresOn, dayOf(now, zone)),
    meaning: a.meaning,
    signerUserId: a.signerUserId,
    signedAt: a.signedAt.toISOString(),
    recordSha256: a.recordSha256,
  };
}

export function findingView(
  f: Finding,
  acceptance: FindingAcceptance | null,
  slaDays: Record<FindingSeverity, number>,
  now: Date,
  zone: string,
): FindingView {
  const days = slaDays[f.severity];
  const clock = findingClock(f.openedAt, days, now, zone, f.closedAt);
  return {
    id: f.id,
    source: f.source,
    penTestId: f.penTestId,
    fingerprint: f.fingerprint,
    severity: f.severity,
    title: f.title,
    detail: f.detail,
    product: f.product,
    department: f.department,
    ownerUserId: f.ownerUserId,
    status: f.status,
    openedAt: f.openedAt.toISOString(),
    closedAt: f.closedAt?.toISOString() ?? null,
    fixEvidenceId: f.fixEvidenceId,
    fixNote: f.fixNote,
    retestResult: f.retestResult,
    retestedAt: f.retestedAt?.toISOString() ?? null,
    sla: { days, dueAt: clock.dueAt.toISOString(), state: clock.state },
    acceptance: acceptance ? acceptanceView(acceptance, now, zone) : null,
  };
}

export function penTestView(p: PenTest): PenTestView {
  return { id: p.id, vendor: p.vendor, title: p.title, startsOn: p.startsOn, endsOn: p.endsOn };
}
