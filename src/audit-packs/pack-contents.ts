// The parts of an audit pack's model that are plain transformations of what PackCollector gathered from the
// other modules (pack-collector.service.ts): the evidence per control with the files the ZIP carries, the
// scope-and-method statement, and the audit trail's summary.
import type { CatalogExportService } from '../catalog/catalog-export.service';
import type { PeriodEvidence } from '../evidence/evidence-queries.service';
import { evidencePath, type ManifestFile } from './domain/pack-manifest';
import type { Freshness } from '../sweeps/domain/cadence';
import type { FreshnessAsOf } from './domain/pack-period';
import type { PackControl, PackEvidenceItem, PackModel, PackRequirement } from './pack-model';

/** An evidence file the ZIP carries: where, what, and the blob to stream. */
export interface PackEvidenceFile extends ManifestFile {
  /** Blob hash to read the bytes from (equal to sha256). */
  blob: string;
}

export type FrameworkCatalog = Awaited<ReturnType<CatalogExportService['frameworkCatalog']>>;

/** The evidence items of each control (by id), and each file the ZIP carries, once, in listing order. */
export function packEvidence(
  controls: FrameworkCatalog['controls'],
  items: PeriodEvidence[],
  submitters: Map<string, string>,
): { byControl: Map<string, PackEvidenceItem[]>; files: PackEvidenceFile[] } {
  const keyOf = new Map(controls.map((c) => [c.id, c.key]));
  const position = new Map(controls.map((c, i) => [c.id, i]));
  // Each file goes once into the ZIP, under the first (in catalog order) of the item's controls in scope.
  const byControl = new Map<string, PackEvidenceItem[]>();
  const files = new Map<string, PackEvidenceFile>();
  for (const item of items) {
    const home = [...item.controlIds].sort((a, b) => position.get(a)! - position.get(b)!)[0];
    const packItem: PackEvidenceItem = {
      id: item.id,
      title: item.title,
      kind: item.kind,
      collectedAt: item.collectedAt.toISOString(),
      periodStart: item.periodStart,
      periodEnd: item.periodEnd,
      submitter: item.submittedBy
        ? (submitters.get(item.submittedBy) ?? `user:${item.submittedBy}`)
        : `system:${item.source.replace(/^collector:/, '')}`,
      files: item.files.map((f) => {
        const zipPath = evidencePath(keyOf.get(home)!, f.sha256, f.filename);
        if (!files.has(zipPath)) files.set(zipPath, { path: zipPath, sha256: f.sha256, size: f.size, blob: f.sha256 });
        return { n: f.n, filename: f.filename, sha256: f.sha256, size: f.size, mediaType: f.mediaType, zipPath };
      }),
    };
    for (const controlId of item.controlIds) {
      const list = byControl.get(controlId);
      if (list) list.push(packItem);
      else byControl.set(controlId, [packItem]);
    }
  }
  return { byControl, files: [...files.values()] };
}

export function packRequirements(requirements: FrameworkCatalog['requirements']): PackRequirement[] {
  return requirements.map((r) => ({
    ref: r.ref,
    title: r.title,
    group: r.group || null,
    applicable: r.notApplicable === null,
    notApplicableReason: r.notApplicable,
    controls: r.controls,
  }));
}

/** Every control of the framework with its status (freshness; missing without evidence) and its evidence. */
export function packControls(
  controls: FrameworkCatalog['controls'],
  freshness: ReadonlyMap<string, Freshness>,
  evidenceByControl: Map<string, PackEvidenceItem[]>,
): PackControl[] {
  return controls.map((c) => ({
    key: c.key,
    title: c.title,
    ownerDepartment: c.ownerDepartment,
    ownerName: c.ownerName,
    cadence: c.cadence,
    status: freshness.get(c.id) ?? 'missing',
    requirements: c.requirements,
    evidence: evidenceByControl.get(c.id) ?? [],
  }));
}

export function scopeAndMethod(
  cat: FrameworkCatalog,
  scope: { from: string; to: string },
  asOf: FreshnessAsOf,
): string[] {
  return [
    `Framework ${cat.framework.name} (${cat.framework.key}${cat.framework.edition ? `, ${cat.framework.edition}` : ''}): ${cat.requirements.length} requirements, ${cat.controls.length} controls mapped to them.`,
    `Period ${scope.from} to ${scope.to}, whole days in Asia/Bangkok.`,
    'Evidence: every current (not superseded) item linked to a control in scope whose evidence date falls in the period; each file is in the ZIP under evidence/<control>/<sha256>-<name> and listed with its SHA-256 in manifest.json.',
    `Control status is freshness ${asOf.statement}, from each control's cadence and its newest evidence dated before then.`,
    "Sweeps: the weekly sweeps of the ISO weeks touching the period, counting only the tasks of controls in scope; late means completed after the due time the task had, or still open after it (at the period's end, or at generation if earlier). A sweep opened less than one working day before its usual due time gives its tasks the next working day's due time instead.",
    'Risk registers, DSR drills and DSR clock statistics are included without any data subject identity.',
    `Incidents (SOC 2, PDPA, SaMD and ISO 14971 packs): those the company became aware of in the period, their severity SLAs, legal clocks and corrective actions ${asOf.statement}; no person is named.`,
    `Releases (SOC 2, SaMD and ISO 14971 packs): those built in the period, with their gates, signatures, the accepted exceptions a gate relied on and the deploy decision ${asOf.statement}; in releases.json too.`,
    `Security operations ${asOf.statement}: the findings register (SOC 2, SaMD and ISO 14971 packs: findings open during the period, fix deadlines, risk acceptances) and the keys register (SOC 2 packs: rotation clocks, never a secret's value); in security-registers.json too.`,
    'The audit trail head, its last signed checkpoint and the result of verifying the hash chain are stated as at generation.',
    'This PDF is signed (PAdES); manifest.json is signed with a detached CMS signature by the same certificate (certificate.pem).',
  ];
}

export function auditTrailSummary(
  head: { seq: number; hash: string } | null,
  checkpoint: { seq: number; hash: string; at: string | null; keyFingerprint: string } | null,
  verified: { ok: boolean },
): PackModel['auditTrail'] {
  return {
    headSeq: head?.seq ?? 0,
    headHash: head?.hash ?? '',
    lastCheckpoint: checkpoint
      ? {
          seq: checkpoint.seq,
          hash: checkpoint.hash,
          at: checkpoint.at ?? '',
          keyFingerprint: checkpoint.keyFingerprint,
        }
      : null,
    verified: verified.ok,
  };
}
