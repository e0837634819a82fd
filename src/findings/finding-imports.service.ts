import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ForbiddenError, ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import { EvidenceService } from '../evidence/evidence.service';
import { DepartmentsService } from '../identity/departments.service';
import type { Parsed, ScanFinding } from '../releases/domain/release-model';
import { parseGitleaks, parseNpmAudit, parseOsv } from '../releases/domain/scanners';
import { SCAN_KINDS, type ScanKind, type ScanRouteKind } from './domain/finding-model';
import type { ImportQueryDto, ScanImportView } from './dto/finding.dto';
import type { Finding, FindingScanImport } from './finding.entity';
import { FindingsRepository } from './findings.repository';

const PARSERS: Record<ScanKind, (bytes: Buffer) => Parsed<ScanFinding[]>> = {
  npm_audit: parseNpmAudit,
  osv: parseOsv,
  gitleaks: parseGitleaks,
};
/** The controls a scanner report is evidence of: ENG-04 (vulnerability scanning), ENG-02 (secret scanning). */
const CONTROLS: Record<ScanKind, string[]> = { npm_audit: ['ENG-04'], osv: ['ENG-04'], gitleaks: ['ENG-02'] };
const LABELS: Record<ScanKind, string> = { npm_audit: 'npm audit', osv: 'OSV-Scanner', gitleaks: 'gitleaks' };
/** Statuses a finding missing from a later scan leaves for resolved_by_scan. */
const RESOLVABLE: readonly Finding['status'][] = ['open', 'accepted', 'fixed'];

type Counts = Pick<ScanImportView, 'opened' | 'reopened' | 'resolved' | 'unchanged'>;

/**
 * Scanner reports imported as findings (issue 18), with the releases module's parsers and fingerprints.
 * Idempotent: the same report (kind, product, SHA-256) again changes nothing. A later report of the same kind
 * and product opens what is new, reopens what came back, and marks resolved_by_scan what it no longer
 * reports, with the report (stored as evidence) as the fix evidence.
 */
@Injectable()
export class FindingImportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: FindingsRepository,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
    private readonly departments: DepartmentsService,
    private readonly trail: AuditTrailService,
  ) {}

  async import(
    actor: UserActor,
    routeKind: ScanRouteKind,
    query: ImportQueryDto,
    file: { filename: string; bytes: Buffer },
  ): Promise<ScanImportView> {
    const kind = SCAN_KINDS[routeKind];
    const department = query.department ?? actor.departmentKey;
    if (!department || !(await this.departments.findByKey(department)))
      throw new ValidationError([{ field: 'department', message: 'must be a department key of departments.yaml' }]);
    if (!abilityFor(actor).can('create', asSubject('FindingImport', { department })))
      throw new ForbiddenError('You may not import scanner reports.');
    const parsed = parse(kind, file.bytes);
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const controls = (await this.catalog.controlsByKeys(CONTROLS[kind])).filter((c) => !c.retired);
    return this.ds.transaction(async (m) => {
      await this.repo.lockProduct(kind, query.product, m);
      const existing = await this.repo.findImport(kind, query.product, sha256, m);
      if (existing) return importView(existing, false, { opened: 0, reopened: 0, resolved: 0, unchanged: 0 });
      const now = new Date();
      const { id: evidenceId } = await this.evidence.recordSnapshot(
        {
          actor: actorRef(actor),
          title: `${LABELS[kind]} report of ${query.product}`,
          controlIds: controls.map((c) => c.id),
          data: { type: 'finding-scan-import', kind, product: query.product, sha256, findings: parsed.length },
          source: 'api',
          evidenceDate: now,
          periodStart: dayOf(now),
          periodEnd: dayOf(now),
          attachments: [{ filename: `${routeKind}.json`, mediaType: 'application/json', bytes: file.bytes }],
        },
        m,
      );
      const imp = await this.repo.insertImport(
        { kind, product: query.product, sha256, evidenceId, findings: parsed.length, createdByUserId: actor.id },
        m,
      );
      const counts = await this.apply(imp, parsed, department, now, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'finding.import',
          subjectType: 'FindingScanImport',
          subjectId: imp.id,
          data: { kind, product: query.product, sha256, evidence: evidenceId, ...counts },
        },
        m,
      );
      return importView(imp, true, counts);
    });
  }

  /** Opens, reopens and resolves the product's findings of the kind from one report. */
  private async apply(
    imp: FindingScanImport,
    found: ScanFinding[],
    department: string,
    now: Date,
    m: EntityManager,
  ): Promise<Counts> {
    const kind = imp.kind as ScanKind;
    const known = new Map((await this.repo.scannerFindings(kind, imp.product, m)).map((f) => [f.fingerprint, f]));
    const counts: Counts = { opened: 0, reopened: 0, resolved: 0, unchanged: 0 };
    const seen = new Set<string>();
    for (const s of found) {
      seen.add(s.fingerprint);
      const f = known.get(s.fingerprint);
      if (!f) {
        await this.repo.insert(
          {
            source: kind,
            scanImportId: imp.id,
            fingerprint: s.fingerprint,
            severity: s.severity,
            title: s.title.slice(0, 300),
            detail: [s.location, ...s.advisories].join('\n'),
            product: imp.product,
            department,
            status: 'open',
            openedAt: now,
            createdByUserId: imp.createdByUserId,
          },
          m,
        );
        counts.opened++;
      } else if (f.status === 'resolved_by_scan') {
        await this.repo.update(f.id, { status: 'open', closedAt: null, fixEvidenceId: null }, m);
        counts.reopened++;
      } else counts.unchanged++;
    }
    for (const f of known.values())
      if (!seen.has(f.fingerprint!) && RESOLVABLE.includes(f.status)) {
        await this.repo.update(
          f.id,
          { status: 'resolved_by_scan', closedAt: f.closedAt ?? now, fixEvidenceId: imp.evidenceId },
          m,
        );
        counts.resolved++;
      }
    return counts;
  }
}

/** The report's findings; 400 naming the place in the file (`file/...`) when it cannot be read. */
function parse(kind: ScanKind, bytes: Buffer): ScanFinding[] {
  const parsed = PARSERS[kind](bytes);
  if (parsed.ok) return parsed.value;
  throw new ValidationError(
    parsed.problems.map((p) => ({ field: `file${p.field === '/' ? '' : p.field}`, message: p.message })),
    `The ${LABELS[kind]} report cannot be read: ${parsed.problems
      .slice(0, 3)
      .map((p) => `${p.field} ${p.message}`)
      .join('; ')}`,
    'finding.import_invalid',
  );
}

function importView(imp: FindingScanImport, created: boolean, counts: Counts): ScanImportView {
  const route = Object.entries(SCAN_KINDS).find(([, k]) => k === imp.kind)?.[0] ?? imp.kind;
  return {
    importId: imp.id,
    kind: route,
    product: imp.product,
    sha256: imp.sha256,
    evidenceId: imp.evidenceId,
    created,
    ...counts,
  };
}
