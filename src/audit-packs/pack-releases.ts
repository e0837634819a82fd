// The audit pack's releases section (issue 18): the releases built in the period, each with its gates,
// signatures, the accepted exceptions a gate relied on, and the decision — all as they stood at one moment,
// `asOf` (the period's end, or the build if the period had not ended). Attachments sent and signatures given
// after it are left out, and the gates are computed again with the releases module's own rules
// (release-views' detailView): a signature counts when it binds the release record as it was then. Every
// count is derived from the rows the section lists. Pure: no Nest, no TypeORM.
import type { ReleasePeriodRecords } from '../releases/release-register.service';
import { detailView, releaseSha256Of, type GateView } from '../releases/release-views';
import type { Release } from '../releases/release.entity';
import type { FreshnessAsOf } from './domain/pack-period';
import type { PackAcceptance, PackRelease, PackReleaseException, PackReleaseGate, PackReleases } from './pack-model';

/** Accepted exceptions at `asOf`: product → scanner fingerprint → the acceptance (pack-secops' acceptedExceptionsAt). */
export type AcceptedExceptions = ReadonlyMap<string, ReadonlyMap<string, PackAcceptance>>;

const upTo = (d: Date, at: Date) => d.getTime() <= at.getTime();

/** The releases section: `records` are the releases built in the period (oldest first) with all their records. */
export function packReleases(
  records: ReleasePeriodRecords,
  accepted: AcceptedExceptions,
  asOf: FreshnessAsOf,
): PackReleases {
  const at = new Date(asOf.at);
  const releases: PackRelease[] = [];
  const exceptions: PackReleaseException[] = [];
  for (const release of records.releases) {
    if (!upTo(release.createdAt, at)) continue; // recorded only after the moment the section speaks of
    const stated = releaseAt(records, release, accepted.get(release.product), at);
    releases.push(stated.release);
    exceptions.push(...stated.exceptions);
  }
  return { asOf, releases, exceptions, counts: releaseCounts(releases, exceptions) };
}

/** One release with its gates and decision at `at`, and the accepted exceptions its gates relied on. */
function releaseAt(
  records: ReleasePeriodRecords,
  release: Release,
  accepted: ReadonlyMap<string, PackAcceptance> | undefined,
  at: Date,
): { release: PackRelease; exceptions: PackReleaseException[] } {
  const ref = `${release.product} ${release.version}`;
  const attachments = records.attachments.filter((a) => a.releaseId === release.id && upTo(a.createdAt, at));
  const signatures = records.signatures.filter((s) => s.releaseId === release.id && upTo(s.signedAt, at));
  const base = {
    ref,
    product: release.product,
    version: release.version,
    commit: release.commit,
    builtAt: release.builtAt.toISOString(),
  };
  const product = records.policy.products.find((p) => p.key === release.product);
  if (!product) {
    const sha = releaseSha256Of(release, attachments);
    const stated = {
      ...base,
      productName: release.product,
      releaseSha256: sha,
      gates: [],
      approved: null,
      missing: [],
    };
    return { release: stated, exceptions: [] };
  }
  const detail = detailView({
    release,
    product,
    blockingSeverity: records.policy.blockingSeverity,
    attachments,
    signatures,
    names: records.names,
    previous: null,
    acceptedFingerprints: new Set(accepted?.keys() ?? []),
  });
  return {
    release: {
      ...base,
      productName: product.name,
      releaseSha256: detail.releaseSha256,
      gates: detail.gates.map(packGate),
      approved: detail.decision.approved,
      missing: detail.decision.missing.map((m) => m.gate),
    },
    exceptions: detail.findings.excepted.map((f) => ({
      release: ref,
      fingerprint: f.fingerprint,
      title: f.title,
      severity: f.severity,
      acceptance: accepted?.get(f.fingerprint) ?? null,
    })),
  };
}

function packGate(g: GateView): PackReleaseGate {
  const s = g.signature;
  return {
    key: g.key,
    name: g.name,
    kind: g.kind,
    passed: g.passed,
    reason: g.reason,
    meaning: g.meaning ?? null,
    signature: s
      ? {
          signer: s.signer ?? `user:${s.signerUserId}`,
          role: s.role,
          department: s.department,
          signedAt: s.signedAt,
          releaseSha256: s.releaseSha256,
          reportSha256: s.reportSha256,
          recordSha256: s.recordSha256,
        }
      : null,
  };
}

/** The section's counts, from its rows only (so an auditor can check each against the tables). */
export function releaseCounts(releases: PackRelease[], exceptions: PackReleaseException[]): PackReleases['counts'] {
  const gates = releases.flatMap((r) => r.gates);
  return {
    releases: releases.length,
    approved: releases.filter((r) => r.approved === true).length,
    notApproved: releases.filter((r) => r.approved === false).length,
    gatesPassed: gates.filter((g) => g.passed).length,
    gatesNotPassed: gates.filter((g) => !g.passed).length,
    signatures: gates.filter((g) => g.signature).length,
    exceptions: exceptions.length,
  };
}

/** Where the section's data goes in the ZIP (listed in manifest.json like every other file). */
export const RELEASES_NAME = 'releases.json';
export const SECURITY_REGISTERS_NAME = 'security-registers.json';

/** A section as written to the ZIP: two-space JSON with a final newline. */
export function sectionBytes(section: object): Buffer {
  return Buffer.from(JSON.stringify(section, null, 2) + '\n', 'utf8');
}
