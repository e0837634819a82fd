// The release pages' view models (issue 18): the list with each release's decision, and one release with
// its gates (who may sign which, here and now), the clause 9 report, attachments, findings and the IEC
// 62304 5.8 view. Pure: the controller loads the release details.
import { fills } from '../documents/domain/document-approvals';
import type { UserActor } from '../authz/actor';
import { ATTACHMENT_LABELS } from '../releases/domain/release-attachments';
import type { ProductGatePolicy } from '../releases/domain/release-model';
import type { ReleaseDetail } from '../releases/release-views';
import { csvHref, csvTime, timeHeader, type CsvColumn } from './list-csv';

/** A refused form: what was typed (never a password), each field's problem, and the refusal in words. */
export interface ReleaseFormState {
  form: string;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

/** The releases list as CSV: each release's decision and what is missing, as the deploy step is told. */
export const RELEASE_CSV_COLUMNS: CsvColumn<ReleaseDetail>[] = [
  { header: 'Product', value: (r) => r.product },
  { header: 'Version', value: (r) => r.version },
  { header: 'Commit', value: (r) => r.commit },
  { header: timeHeader('Built'), value: (r) => csvTime(r.builtAt) },
  { header: 'Approved', value: (r) => r.decision.approved },
  { header: 'Missing', value: (r) => r.decision.missing.map((m) => `${m.gate}: ${m.reason}`).join('; ') },
];

export function releaseListPage(input: {
  items: ReleaseDetail[];
  total: number;
  products: ProductGatePolicy[];
  product: string | null;
}) {
  return {
    title: 'Releases',
    total: input.total,
    csv: csvHref('/releases/export.csv', { product: input.product }),
    products: input.products.map((p) => ({ key: p.key, name: p.name, selected: p.key === input.product })),
    releases: input.items.map((r) => ({
      product: r.product,
      productName: r.productName,
      version: r.version,
      commit: r.commit.slice(0, 12),
      builtAt: r.builtAt,
      approved: r.decision.approved,
      missing: r.decision.missing.length,
      href: `/releases/${r.product}/${encodeURIComponent(r.version)}`,
    })),
  };
}

const short = (sha: string) => sha.slice(0, 12);

export function releasePage(input: {
  release: ReleaseDetail;
  product: ProductGatePolicy;
  actor: UserActor;
  canSign: boolean;
  canGenerateReport: boolean;
  form: ReleaseFormState | null;
  formKey: string;
}) {
  const r = input.release;
  const base = `/releases/${r.product}/${encodeURIComponent(r.version)}`;
  return {
    title: `${r.productName} ${r.version}`,
    base,
    release: { ...r, shortCommit: short(r.commit), shortSha: short(r.releaseSha256) },
    decision: r.decision,
    riskReport: r.riskReport
      ? {
          ...r.riskReport,
          shortSha: short(r.riskReport.sha256),
          href: `/api/evidence/${r.riskReport.evidenceId}/download?file=2`,
        }
      : null,
    canGenerateReport: input.canGenerateReport,
    reportForm: input.form?.form === 'risk-report' ? input.form : null,
    gates: gateRows(input, base),
    signatures: signatureRows(r),
    attachments: r.attachments.map((a) => ({
      ...a,
      label: ATTACHMENT_LABELS[a.kind],
      shortSha: short(a.sha256),
      href: `/api/evidence/${a.evidenceId}/download?file=2`,
    })),
    testReport: r.testReport,
    findings: {
      secrets: r.findings.secrets.length,
      blocking: r.findings.blocking,
      dependencies: r.findings.dependencies.length,
    },
    soup: r.soup
      ? {
          count: r.soup.components.length,
          previousVersion: r.soup.previousVersion,
          diff: r.soup.diff,
          changed: r.soup.diff
            ? r.soup.diff.added.length +
              r.soup.diff.removed.length +
              r.soup.diff.upgraded.length +
              r.soup.diff.relicensed.length
            : 0,
        }
      : null,
    anomalies: r.anomalies,
    artefacts: r.artefacts.map((a) => ({ ...a, label: ATTACHMENT_LABELS[a.kind as keyof typeof ATTACHMENT_LABELS] })),
    formKey: input.formKey,
  };
}

/** Each gate with its state, its signature, and the sign form when this person may sign it now. */
function gateRows(input: Parameters<typeof releasePage>[0], base: string) {
  const r = input.release;
  const me = { userId: input.actor.id, role: input.actor.role, departmentKey: input.actor.departmentKey };
  const signerOf = new Map(input.product.signed.map((g) => [g.key, g]));
  const formFor = (gate: string) => (input.form?.form === `sign:${gate}` ? input.form : null);
  return r.gates.map((g) => {
    const policy = signerOf.get(g.key);
    const mine = !!policy && input.canSign && policy.signers.some((s) => fills(s, me, ''));
    const needsReport = !!policy?.riskReport;
    return {
      ...g,
      automatic: g.kind === 'automatic',
      signature: g.signature ? { ...g.signature, shortSha: short(g.signature.releaseSha256) } : null,
      signers: policy?.signers
        .map((s) => [s.role?.replace('_', ' '), s.department].filter(Boolean).join(' in '))
        .join(' or '),
      form:
        mine && !g.passed && (!needsReport || r.riskReport)
          ? {
              action: `${base}/gates/${g.key}/sign`,
              reportSha256: needsReport ? r.riskReport?.sha256 : null,
              state: formFor(g.key),
            }
          : null,
      waitsForReport: mine && !g.passed && needsReport && !r.riskReport,
    };
  });
}

function signatureRows(r: ReleaseDetail) {
  return r.signatures.map((s) => ({
    ...s,
    gateName: r.gates.find((g) => g.key === s.gate)?.name ?? s.gate,
    shortSha: short(s.releaseSha256),
    valid: s.state === 'valid',
  }));
}
