// What a release looks like to its readers: the record, its attachments (the newest of each kind marked
// current), the gates with their state, the signatures with whether each still counts, the IEC 62304 5.8
// view (anomalies, SOUP list and its change since the previous release, archived artefacts' hashes) and
// the decision. Pure: the services load the rows.
import { dayOf } from '../common/time/days';
import { currentByKind, dependencyFindings, SEVERITY_RANK } from './domain/release-attachments';
import { evaluateGates, withoutAcceptedExceptions } from './domain/gates';
import type {
  GateState,
  ProductGatePolicy,
  ReleaseDecision,
  SbomDiff,
  SbomSummary,
  ScanFinding,
  TestReportSummary,
  FindingSeverity,
} from './domain/release-model';
import { diffSbom } from './domain/cyclonedx';
import { checkGateSignature, releaseRecordSha256 } from './domain/release-signature';
import type { AttachmentView, GateSignatureView, ReleaseListItem } from './dto/release.dto';
import type { ReleaseAttachment, ReleaseSignature } from './release-records.entity';
import type { Release, ReleaseAnomaly } from './release.entity';

export interface GateView extends GateState {
  name: string;
  /** Signed gates: what the signature means, who may sign (slots), the ISO 14971 clause 9 review flag. */
  meaning?: string;
  riskReport?: boolean;
  /** The valid signature that passed it. */
  signature?: GateSignatureView;
}

export interface ReleaseDetail extends ReleaseListItem {
  productName: string;
  samd: boolean;
  anomalies: ReleaseAnomaly[];
  /** The newest ISO 14971 clause 9 report generated for the release (what its gate signs). */
  riskReport: { evidenceId: string; sha256: string; generatedAt: string } | null;
  /** SHA-256 of the release record signatures bind (domain/release-signature). */
  releaseSha256: string;
  attachments: AttachmentView[];
  gates: GateView[];
  signatures: GateSignatureView[];
  decision: ReleaseDecision;
  /** IEC 62304 5.8: the SOUP list of the current SBOM and what changed since the previous release's. */
  soup: {
    components: SbomSummary['components'];
    previousVersion: string | null;
    diff: SbomDiff | null;
  } | null;
  /** Findings of the current scan reports: secrets, and dependency findings by severity. */
  /** `blocking`: at or above the blocking severity and not covered by an accepted exception (`excepted`). */
  findings: { secrets: ScanFinding[]; dependencies: ScanFinding[]; blocking: ScanFinding[]; excepted: ScanFinding[] };
  testReport: TestReportSummary | null;
  /** Every file archived with the release (IEC 62304 5.8.8): kind, name and SHA-256. */
  artefacts: { kind: string; filename: string; sha256: string; size: number }[];
}

export function listItem(r: Release): ReleaseListItem {
  return {
    id: r.id,
    product: r.product,
    version: r.version,
    commit: r.commit,
    builtAt: r.builtAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
  };
}

export function attachmentView(a: ReleaseAttachment, current: boolean): AttachmentView {
  return {
    id: a.id,
    kind: a.kind,
    filename: a.filename,
    sha256: a.sha256,
    size: a.size,
    evidenceId: a.evidenceId,
    createdAt: a.createdAt.toISOString(),
    current,
    summary: a.summary,
  };
}

/** The release record's hash over its current attachments (the newest of each kind). */
export function releaseSha256Of(r: Release, attachments: ReleaseAttachment[]): string {
  return releaseRecordSha256({
    id: r.id,
    product: r.product,
    version: r.version,
    commit: r.commit,
    builtAt: r.builtAt,
    anomalies: r.anomalies,
    attachments: [...currentByKind(attachments).values()].map((a) => ({ kind: a.kind, sha256: a.sha256 })),
  });
}

function signatureView(s: ReleaseSignature, names: Map<string, string>, releaseSha256: string): GateSignatureView {
  return {
    id: s.id,
    gate: s.gateKey,
    meaning: s.meaning,
    signerUserId: s.signerUserId,
    signer: names.get(s.signerUserId) ?? null,
    role: s.signerRole,
    department: s.signerDepartment,
    signedAt: s.signedAt.toISOString(),
    releaseSha256: s.releaseSha256,
    reportSha256: s.reportSha256,
    reportEvidenceId: s.reportEvidenceId,
    recordSha256: s.recordSha256,
    state: checkGateSignature(s, releaseSha256),
  };
}

export interface DetailInput {
  release: Release;
  product: ProductGatePolicy;
  blockingSeverity: FindingSeverity;
  attachments: ReleaseAttachment[];
  signatures: ReleaseSignature[];
  names: Map<string, string>;
  previous: { version: string; sbom: SbomSummary | null } | null;
  /** Fingerprints of the product's findings under an accepted, unexpired exception. */
  acceptedFingerprints?: ReadonlySet<string>;
}

export function detailView(i: DetailInput): ReleaseDetail {
  const r = i.release;
  const current = currentByKind(i.attachments);
  const releaseSha256 = releaseSha256Of(r, i.attachments);
  const signatures = i.signatures.map((s) => signatureView(s, i.names, releaseSha256));
  const summaryOf = <T>(kind: Parameters<typeof current.get>[0]): T | null =>
    (current.get(kind)?.summary as T | undefined) ?? null;
  const testReport = summaryOf<TestReportSummary>('test_report');
  const sbom = summaryOf<SbomSummary>('sbom');
  const secrets = summaryOf<ScanFinding[]>('secret_scan') ?? [];
  const dependencies = dependencyFindings(summaryOf<ScanFinding[]>('npm_audit'), summaryOf<ScanFinding[]>('osv'));
  const { blocking, excepted } = withoutAcceptedExceptions(
    dependencies.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[i.blockingSeverity]),
    i.acceptedFingerprints ?? new Set(),
  );
  const validByGate = new Map<string, GateSignatureView>();
  for (const s of signatures) if (s.state === 'valid' && !validByGate.has(s.gate)) validByGate.set(s.gate, s);
  const { gates, decision } = evaluateGates(i.product, {
    testReport,
    sbomPresent: sbom !== null,
    secretScanPresent: current.has('secret_scan'),
    dependencyScanPresent: current.has('npm_audit') || current.has('osv'),
    secretFindings: secrets.length,
    blockingDependencyFindings: blocking.length,
    signedGates: new Set(validByGate.keys()),
    staleGates: new Set(signatures.filter((s) => s.state === 'stale').map((s) => s.gate)),
    blockingSeverity: i.blockingSeverity,
  });
  return {
    ...listItem(r),
    productName: i.product.name,
    samd: i.product.samd,
    anomalies: r.anomalies,
    riskReport:
      r.riskReportEvidenceId && r.riskReportSha256 && r.riskReportAt
        ? { evidenceId: r.riskReportEvidenceId, sha256: r.riskReportSha256, generatedAt: r.riskReportAt.toISOString() }
        : null,
    releaseSha256,
    attachments: i.attachments.map((a) => attachmentView(a, current.get(a.kind)?.id === a.id)),
    gates: gateViews(gates, i.product, validByGate),
    signatures,
    decision,
    soup: sbom
      ? {
          components: sbom.components,
          previousVersion: i.previous?.version ?? null,
          diff: i.previous ? diffSbom(i.previous.sbom, sbom) : null,
        }
      : null,
    findings: { secrets, dependencies, blocking, excepted },
    testReport,
    artefacts: [...current.values()].map((a) => ({
      kind: a.kind,
      filename: a.filename,
      sha256: a.sha256,
      size: a.size,
    })),
  };
}

function gateViews(
  gates: GateState[],
  product: ProductGatePolicy,
  validByGate: Map<string, GateSignatureView>,
): GateView[] {
  const signedPolicy = new Map(product.signed.map((g) => [g.key, g]));
  return gates.map((g) => {
    const policy = signedPolicy.get(g.key);
    return {
      ...g,
      name: policy?.name ?? AUTOMATIC_GATE_NAMES[g.key] ?? g.key,
      ...(policy ? { meaning: policy.meaning, riskReport: policy.riskReport ?? false } : {}),
      ...(validByGate.has(g.key) ? { signature: validByGate.get(g.key) } : {}),
    };
  });
}

export const AUTOMATIC_GATE_NAMES: Record<string, string> = {
  tests_passed: 'Tests passed',
  no_secret_findings: 'No live secret findings',
  no_blocking_dependency_findings: 'No blocking dependency findings',
  sbom_present: 'SBOM attached',
};

/** The Bangkok day a release was built on (evidence periods). */
export function buildDay(r: Release): string {
  return dayOf(r.builtAt);
}
