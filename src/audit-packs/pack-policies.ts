// The audit pack's policy index (issue 17): the documents module's records of the documents in force during
// the period, as the pack states them, and the totals summed from them (so each total is checkable against
// the rows). Pure: no Nest, no TypeORM.
import type { PolicyIndexDocument } from '../documents/document-evidence.service';
import type { FreshnessAsOf } from './domain/pack-period';
import type { PackPolicies } from './pack-model';

/** Where the policy index goes in the ZIP (listed in manifest.json like every other file). */
export const POLICY_INDEX_NAME = 'policy-index.json';

export function packPolicies(documents: readonly PolicyIndexDocument[], asOf: FreshnessAsOf): PackPolicies {
  const totals = { documents: 0, versions: 0, asked: 0, acknowledged: 0, pending: 0, overdue: 0 };
  const out = documents.map((d) => {
    const a = d.acknowledgementsAtEnd;
    totals.documents++;
    totals.versions += d.versions.length;
    totals.asked += a.asked;
    totals.acknowledged += a.acknowledged;
    totals.pending += a.pending;
    totals.overdue += a.overdue;
    return {
      key: d.key,
      title: d.title,
      type: d.type,
      ownerDepartment: d.ownerDepartment,
      controls: d.controls,
      versions: d.versions.map((v) => ({
        number: v.number,
        sha256: v.sha256,
        material: v.material,
        effectiveOn: v.effectiveOn,
        publishedAt: v.publishedAt,
        supersededAt: v.supersededAt,
        approvals: v.approvals.map((s) => ({
          signer: s.signer ?? `user:${s.signerUserId}`,
          role: s.role,
          department: s.department,
          meaning: s.meaning,
          signedAt: s.signedAt,
          valid: s.valid,
        })),
      })),
      acknowledgement: { ...a },
    };
  });
  return { asOf, documents: out, totals };
}

/** The policy index as written to the ZIP: two-space JSON with a final newline. */
export function policyIndexBytes(p: PackPolicies): Buffer {
  return Buffer.from(JSON.stringify(p, null, 2) + '\n', 'utf8');
}
