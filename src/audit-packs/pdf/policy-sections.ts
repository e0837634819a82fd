// The audit-pack PDF's policy index (issue 17): the totals first, then the rows they are summed from — each
// document with its acknowledgement at the section's moment, then each version in force during the period
// with its effective day and its approval signatures — so an auditor can check every number.
import { keyWords } from '../../incidents/domain/incident-labels';
import type { PackPolicies, PackPolicyAcknowledgement, PackPolicyVersion } from '../pack-model';
import { POLICY_INDEX_NAME } from '../pack-policies';
import { formatDate, formatDateTime } from './pack-format';
import type { Cell } from './pdf-writer';
import type { SectionContext } from './section-context';

/** "3 of 4 (75.0%); 1 pending, 0 overdue; basis v2", or why nobody was asked. */
export function acknowledgementLine(a: PackPolicyAcknowledgement): string {
  if (a.basisVersion === null) return 'not asked (no material version published by then)';
  if (a.asked === 0) return `nobody asked yet (basis v${a.basisVersion})`;
  return (
    `${a.acknowledged} of ${a.asked} (${a.ratePercent!.toFixed(1)}%); ${a.pending} pending, ${a.overdue} overdue; ` +
    `basis v${a.basisVersion}`
  );
}

/** "Name (compliance manager, engineering): approved 2026-11-03 10:15 ICT", marked when it no longer verifies. */
export function approvalLine(s: PackPolicyVersion['approvals'][number]): string {
  const capacity = [keyWords(s.role), s.department].filter(Boolean).join(', ');
  return `${s.signer} (${capacity}): ${s.meaning} ${formatDateTime(s.signedAt)}${s.valid ? '' : ' — SIGNATURE DOES NOT VERIFY'}`;
}

export function policiesNote(p: PackPolicies): string {
  return (
    `Controlled documents with a version in force at some time of the period (published before its end and not ` +
    `superseded before its start), each version with its effective day and the signatures of the review round ` +
    `that approved it, each re-verified at generation against the version's SHA-256. Acknowledgements are ` +
    `counted ${p.asOf.statement}: everyone holding a task for the newest material version published by then ` +
    `(or a later one), once each, acknowledged if acknowledged by then, overdue if its due time had passed. The ` +
    `same data is ${POLICY_INDEX_NAME} in the ZIP.`
  );
}

export function policies(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  const p = model.policies;
  const muted = { colour: layout.colours.muted };
  if (!p)
    return w.paragraph(
      `Controlled documents are not part of a ${model.framework.key} pack (they are for SOC 2, PDPA, SaMD and ISO 14971).`,
      muted,
    );
  w.paragraph(policiesNote(p), muted);
  if (p.documents.length === 0)
    return w.paragraph('No controlled document was in force during the period.', { font: 'bold' });
  const t = p.totals;
  w.keyValues([
    ['Documents in force', String(t.documents)],
    ['Versions in force', String(t.versions)],
    [
      'Acknowledgements (all documents)',
      `${t.acknowledged} of ${t.asked} acknowledged; ${t.pending} pending, ${t.overdue} overdue`,
    ],
  ]);
  documentTable(ctx, p);
  versionTables(ctx, p);
}

function documentTable(ctx: SectionContext, p: PackPolicies): void {
  const { w, layout } = ctx;
  const bad = (text: string, isBad: boolean): Cell => (isBad ? { text, colour: layout.colours.bad } : text);
  w.subheading('Documents');
  w.table(
    [
      { header: 'Key', share: 14 },
      { header: 'Title', share: 24 },
      { header: 'Type', share: 10 },
      { header: 'Owner', share: 11 },
      { header: 'Controls', share: 15 },
      { header: 'Acknowledged', share: 26 },
    ],
    p.documents.map((d) => ({
      cells: [
        d.key,
        d.title,
        keyWords(d.type),
        d.ownerDepartment,
        d.controls.join(', ') || '—',
        bad(acknowledgementLine(d.acknowledgement), d.acknowledgement.overdue > 0),
      ],
    })),
  );
}

function versionTables(ctx: SectionContext, p: PackPolicies): void {
  const { w, layout } = ctx;
  const bad = (text: string, isBad: boolean): Cell => (isBad ? { text, colour: layout.colours.bad } : text);
  w.subheading('Versions and approvals');
  w.table(
    [
      { header: 'Version', share: 14 },
      { header: 'Effective', share: 10 },
      { header: 'Published', share: 14 },
      { header: 'Superseded', share: 14 },
      { header: 'Approvals', share: 48 },
    ],
    p.documents.flatMap((d, group) =>
      d.versions.map((v) => ({
        group,
        cells: [
          `${d.key} v${v.number}${v.material ? '' : ' (minor)'}`,
          v.effectiveOn ? formatDate(v.effectiveOn) : '—',
          v.publishedAt ? formatDateTime(v.publishedAt) : '—',
          v.supersededAt ? formatDateTime(v.supersededAt) : '—',
          bad(
            v.approvals.length ? v.approvals.map(approvalLine).join('\n') : 'no approval signature',
            v.approvals.length === 0 || v.approvals.some((s) => !s.valid),
          ),
        ],
      })),
    ),
  );
  w.subheading('Version hashes (SHA-256)');
  w.table(
    [
      { header: 'Version', share: 20 },
      { header: 'SHA-256 of the content', share: 80, font: 'mono' },
    ],
    p.documents.flatMap((d, group) => d.versions.map((v) => ({ group, cells: [`${d.key} v${v.number}`, v.sha256] }))),
  );
}
