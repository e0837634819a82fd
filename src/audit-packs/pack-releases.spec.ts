import {
  ACCEPTED_FP,
  BUILT_AFTER,
  findingRecords,
  keyRecords,
  releaseRecords,
  SECOPS_END,
  SECOPS_PERIOD,
  SECOPS_START,
} from '../../test/fixtures/pack-releases';
import { detailView } from '../releases/release-views';
import { freshnessAsOf } from './domain/pack-period';
import type { PackFindings, PackReleases } from './pack-model';
import { packReleases } from './pack-releases';
import { acceptanceAt, acceptedExceptionsAt, findingStatusAt, packFindings, packKeys } from './pack-secops';

const ZONE = 'Asia/Bangkok';
const asOf = (builtAt = BUILT_AFTER) => freshnessAsOf(SECOPS_PERIOD.to, builtAt);
const releasesAt = (builtAt = BUILT_AFTER) =>
  packReleases(
    releaseRecords(),
    acceptedExceptionsAt(findingRecords(), new Date(asOf(builtAt).at), ZONE),
    asOf(builtAt),
  );
const findingsAt = (builtAt = BUILT_AFTER) => packFindings(findingRecords(), SECOPS_START, asOf(builtAt), ZONE);

/** Every count recomputed from the rows, the way an auditor tallies the tables. */
function tallyReleases(s: PackReleases): PackReleases['counts'] {
  const gates = s.releases.flatMap((r) => r.gates);
  return {
    releases: s.releases.length,
    approved: s.releases.filter((r) => r.approved === true).length,
    notApproved: s.releases.filter((r) => r.approved === false).length,
    gatesPassed: gates.filter((g) => g.passed).length,
    gatesNotPassed: gates.filter((g) => !g.passed).length,
    signatures: gates.filter((g) => g.signature !== null).length,
    exceptions: s.exceptions.length,
  };
}

describe('packReleases: the audit pack releases section', () => {
  it('lists the releases built in the period and recorded by its end, oldest first', () => {
    const s = releasesAt();
    expect(s.asOf.basis).toBe('period_end');
    expect(s.releases.map((r) => [r.ref, r.approved])).toEqual([
      ['patient-platform 3.0.0', true],
      ['retired-app 1.0.0', null],
      ['patient-platform 3.1.0', false],
    ]);
  });

  it('states each gate at the end: a change log attached later does not make the signatures stale then', () => {
    const r1 = releasesAt().releases[0];
    expect(r1.gates.map((g) => [g.key, g.passed])).toEqual([
      ['tests_passed', true],
      ['no_secret_findings', true],
      ['no_blocking_dependency_findings', true],
      ['sbom_present', true],
      ['qa', true],
      ['safety_review', true],
      ['clinical_signoff', true],
      ['iso14971_clause9', true],
    ]);
    const clause9 = r1.gates.find((g) => g.key === 'iso14971_clause9')!;
    expect(clause9.signature).toMatchObject({ signer: 'Dr. Naree Wongsa', releaseSha256: r1.releaseSha256 });
    expect(clause9.signature!.reportSha256).toMatch(/^[0-9a-f]{64}$/);
    // Now (the change log counted) the same signatures are stale and the release is not approved.
    const records = releaseRecords();
    const policy = records.policy.products.find((p) => p.key === 'patient-platform')!;
    const now = detailView({
      release: records.releases[0],
      product: policy,
      blockingSeverity: 'high',
      attachments: records.attachments.filter((a) => a.releaseId === records.releases[0].id),
      signatures: records.signatures.filter((x) => x.releaseId === records.releases[0].id),
      names: records.names,
      previous: null,
      acceptedFingerprints: new Set([ACCEPTED_FP]),
    });
    expect(now.decision.approved).toBe(false);
    expect(now.signatures.every((x) => x.state === 'stale')).toBe(true);
  });

  it('gives the reasons of the gates not passed, and leaves out a signature given after the end', () => {
    const r2 = releasesAt().releases[2];
    const reasons = Object.fromEntries(r2.gates.filter((g) => !g.passed).map((g) => [g.key, g.reason]));
    expect(reasons).toEqual({
      tests_passed: '2 tests failed',
      no_secret_findings: '1 live secret finding',
      no_blocking_dependency_findings: '1 blocking dependency finding (high or above, no accepted exception)',
      safety_review: 'not signed yet',
      clinical_signoff: 'not signed yet',
      iso14971_clause9: 'not signed yet',
    });
    expect(r2.missing).toEqual(Object.keys(reasons));
    expect(r2.gates.find((g) => g.key === 'qa')!.signature).toMatchObject({ signer: 'Somchai QA' });
  });

  it('names the accepted exception a gate relied on, with its acceptance; a product no longer configured has no gates', () => {
    const s = releasesAt();
    expect(s.exceptions).toEqual([
      {
        release: 'patient-platform 3.0.0',
        fingerprint: ACCEPTED_FP,
        title: 'image-resizer is vulnerable',
        severity: 'high',
        acceptance: expect.objectContaining({ expiresOn: '2026-12-31', holds: true, signer: 'Compliance Manager' }),
      },
    ]);
    expect(s.releases[1]).toMatchObject({ productName: 'retired-app', gates: [], missing: [] });
  });

  it('has the expected counts, each the tally of the rows', () => {
    const s = releasesAt();
    expect(s.counts).toEqual({
      releases: 3,
      approved: 1,
      notApproved: 1,
      gatesPassed: 10,
      gatesNotPassed: 6,
      signatures: 5,
      exceptions: 1,
    });
    expect(tallyReleases(s)).toEqual(s.counts);
  });

  it('built before the period ends, speaks of the build: what came later is not there yet', () => {
    const s = releasesAt(new Date('2026-06-20T00:00:00.000Z'));
    expect(s.asOf.basis).toBe('built');
    expect(s.releases.map((r) => r.ref)).toEqual(['patient-platform 3.0.0', 'retired-app 1.0.0']);
    expect(tallyReleases(s)).toEqual(s.counts);
  });

  it('says there are none when no release was built in the period', () => {
    const s = packReleases({ ...releaseRecords(), releases: [] }, new Map(), asOf());
    expect(s.releases).toEqual([]);
    expect(s.counts.releases).toBe(0);
  });
});

function tallyFindings(s: PackFindings): PackFindings['counts'] {
  const by = (k: (f: PackFindings['findings'][number]) => string) => {
    const out: Record<string, number> = {};
    for (const f of s.findings) out[k(f)] = (out[k(f)] ?? 0) + 1;
    return out;
  };
  const sla = { closed_in_time: 0, closed_late: 0, overdue: 0, running: 0, excepted: 0 };
  for (const f of s.findings) sla[f.sla]++;
  return {
    findings: s.findings.length,
    openedInPeriod: s.findings.filter((f) => f.openedAt >= SECOPS_START.toISOString()).length,
    closedInPeriod: s.findings.filter((f) => f.closedAt).length,
    bySeverity: by((f) => f.severity),
    byStatus: by((f) => f.status),
    sla,
    acceptances: s.findings.filter((f) => f.acceptance).length,
    acceptancesHolding: s.findings.filter((f) => f.acceptance?.holds).length,
  };
}

describe('packFindings: the findings register at the period end', () => {
  it('lists every finding open at some time of the period, each as it stood at the end', () => {
    const s = findingsAt();
    expect(s.findings.map((f) => [f.ref.slice(-2), f.status, f.sla])).toEqual([
      ['14', 'open', 'overdue'],
      ['17', 'resolved_by_scan', 'closed_late'],
      ['19', 'open', 'running'],
      ['13', 'fixed', 'closed_in_time'], // its passing retest came in July
      ['18', 'open', 'overdue'], // its acceptance expired on 20 June
      ['11', 'accepted', 'excepted'],
      ['15', 'open', 'running'], // resolved by a scan only in July
    ]);
    const f13 = s.findings[3];
    expect(f13.source).toBe('pen_test: Siam Security Co., Patient platform pen test (2026-05-25 to 2026-05-29)');
    expect(s.findings[4].acceptance).toMatchObject({ expiresOn: '2026-06-20', holds: false });
    expect(s.findings[2].acceptance).toBeNull(); // ended by the failed retest after it
  });

  it('has the expected counts, each the tally of the rows', () => {
    const s = findingsAt();
    expect(s.counts).toEqual({
      findings: 7,
      openedInPeriod: 4,
      closedInPeriod: 2,
      bySeverity: { moderate: 2, low: 1, high: 4 },
      byStatus: { open: 4, resolved_by_scan: 1, fixed: 1, accepted: 1 },
      sla: { closed_in_time: 1, closed_late: 1, overdue: 2, running: 2, excepted: 1 },
      acceptances: 2,
      acceptancesHolding: 1,
    });
    expect(tallyFindings(s)).toEqual(s.counts);
  });

  it('status at a moment: closed exactly at it is closed; one millisecond later it is open (or accepted)', () => {
    const at = SECOPS_END;
    const closedAt = new Date(at.getTime());
    expect(findingStatusAt({ status: 'fixed', closedAt, retestedAt: null }, null, at, ZONE).status).toBe('fixed');
    const later = new Date(at.getTime() + 1);
    expect(findingStatusAt({ status: 'fixed', closedAt: later, retestedAt: null }, null, at, ZONE)).toEqual({
      status: 'open',
      closedAt: null,
    });
    const records = findingRecords();
    const a = records.acceptances[0];
    expect(findingStatusAt({ status: 'fixed', closedAt: later, retestedAt: null }, a, at, ZONE).status).toBe(
      'accepted',
    );
    // An acceptance holds through its last day (compliance zone) and not after.
    expect(
      findingStatusAt(
        { status: 'accepted', closedAt: null, retestedAt: null },
        { ...a, expiresOn: '2026-06-30' },
        new Date(at.getTime() - 1),
        ZONE,
      ).status,
    ).toBe('accepted');
    expect(
      findingStatusAt(
        { status: 'accepted', closedAt: null, retestedAt: null },
        { ...a, expiresOn: '2026-06-30' },
        at,
        ZONE,
      ).status,
    ).toBe('open');
    // An acceptance signed after the moment is not there yet.
    expect(acceptanceAt({ retestedAt: null }, [a], new Date(a.signedAt.getTime() - 1))).toBeNull();
  });

  it('the accepted exceptions at the end are the accepted findings, by product and fingerprint', () => {
    const m = acceptedExceptionsAt(findingRecords(), SECOPS_END, ZONE);
    expect([...m.keys()]).toEqual(['patient-platform']);
    expect([...m.get('patient-platform')!.keys()]).toEqual([ACCEPTED_FP]);
  });
});

describe('packKeys: the keys register at the period end', () => {
  it('lists the keys registered by then with their clocks then, never a value', () => {
    const s = packKeys(keyRecords(), SECOPS_START, asOf(), ZONE);
    expect(s.keys.map((k) => [k.name, k.intervalDays, k.lastRotatedAt, k.state, k.rotationsInPeriod])).toEqual([
      ['maps-api-key', 14, '2026-06-20T03:00:00.000Z', 'due_soon', 1],
      ['stripe-live-api-key', 30, '2026-06-15T03:00:00.000Z', 'ok', 1],
      ['supabase-service-role', 90, '2026-03-01T03:00:00.000Z', 'overdue', 0],
    ]);
    expect(s.keys[0].owner).toBe('Key Owner');
    expect(s.counts).toEqual({ keys: 3, ok: 1, dueSoon: 1, overdue: 1, rotationsInPeriod: 2 });
    const n = (state: string) => s.keys.filter((k) => k.state === state).length;
    expect([s.keys.length, n('ok'), n('due_soon'), n('overdue')]).toEqual([
      s.counts.keys,
      s.counts.ok,
      s.counts.dueSoon,
      s.counts.overdue,
    ]);
    expect(s.keys.reduce((t, k) => t + k.rotationsInPeriod, 0)).toBe(s.counts.rotationsInPeriod);
  });
});
