import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import type { AuditAction } from '../audit-trail/domain/audit-actions';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ConflictError, ForbiddenError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { EvidenceService } from '../evidence/evidence.service';
import { cleanFilename } from '../evidence/domain/file-names';
import { UsersService } from '../identity/users.service';
import { ATTACHMENT_CONTROLS, ATTACHMENT_LABELS, currentByKind, parseAttachment } from './domain/release-attachments';
import type { AttachmentKind, ReleaseDecision, SbomSummary } from './domain/release-model';
import { CreateReleaseDto, ReleaseQueryDto, type AttachmentView, type ReleaseListItem } from './dto/release.dto';
import type { AttachmentFile } from './release-attachment-files';
import { ReleaseGatesService } from './release-gates.service';
import { attachmentView, buildDay, detailView, listItem, type ReleaseDetail } from './release-views';
import type { Release } from './release.entity';
import { ReleasesRepository } from './releases.repository';

/**
 * Releases from CI (issue 18): created idempotently on product+version with an API token, files attached
 * and parsed (each stored as content-addressed evidence of the mapped controls), gates computed from
 * controls/release-gates.yaml, and the decision a deploy step asks for, audited every time.
 */
@Injectable()
export class ReleasesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ReleasesRepository,
    private readonly gates: ReleaseGatesService,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  /**
   * Creates the release, or answers the one that holds the product's version (`created: false`): the same
   * commit is the same release (its anomaly list replaced when one is sent, audited); another commit under
   * a version already released is a 409, as a version names one build.
   */
  async create(actor: UserActor, dto: CreateReleaseDto): Promise<{ release: ReleaseDetail; created: boolean }> {
    this.gates.product(dto.product);
    const builtAt = new Date(dto.builtAt);
    const anomalies = dto.anomalies?.map((a) => ({ ref: a.ref, title: a.title, evaluation: a.evaluation }));
    const { release, created } = await this.ds.transaction(async (m) => {
      const result = await this.repo.insertOnce(
        {
          product: dto.product,
          version: dto.version,
          commit: dto.commit,
          builtAt,
          anomalies: anomalies ?? [],
          createdByUserId: actor.id,
        },
        m,
      );
      const r = result.release;
      if (result.created) {
        await this.audit(m, actor, 'release.create', r, {
          commit: r.commit,
          builtAt: r.builtAt.toISOString(),
          anomalies: r.anomalies.length,
        });
        return result;
      }
      if (!abilityFor(actor).can('read', asSubject('Release', r)))
        throw new ForbiddenError('You may not change this release.');
      if (r.commit !== dto.commit)
        throw new ConflictError(
          'release.commit_differs',
          `${r.product} ${r.version} was built from commit ${r.commit}: a version names one build, so give this build another version.`,
          [{ field: 'commit', message: `must be ${r.commit}, the commit ${r.version} was built from` }],
        );
      if (anomalies && JSON.stringify(anomalies) !== JSON.stringify(r.anomalies)) {
        await this.repo.updateAnomalies(r.id, anomalies, m);
        await this.audit(m, actor, 'release.update', r, { anomalies: anomalies.length });
        r.anomalies = anomalies;
      }
      return result;
    });
    return { release: await this.detail(release), created };
  }

  /**
   * Attaches a file of the kind: parsed (any problem: 400 naming the place in the file, nothing stored),
   * stored as a snapshot evidence item of the kind's controls with the file itself, and recorded. The same
   * file again is the same attachment (`created: false`).
   */
  async attach(
    actor: UserActor,
    product: string,
    version: string,
    kind: AttachmentKind,
    file: AttachmentFile,
  ): Promise<{ attachment: AttachmentView; created: boolean }> {
    const ability = abilityFor(actor);
    const found = await this.readable(ability, product, version);
    if (!ability.can('update', asSubject('Release', found)))
      throw new ForbiddenError('You may not attach files to releases.');
    const parsed = await parseAttachment(kind, file.bytes);
    if (!parsed.ok)
      throw new ValidationError(
        parsed.problems.map((p) => ({ field: `file${p.field === '/' ? '' : p.field}`, message: p.message })),
        `The ${ATTACHMENT_LABELS[kind]} cannot be read: ${parsed.problems
          .slice(0, 3)
          .map((p) => `${p.field} ${p.message}`)
          .join('; ')}${parsed.problems.length > 3 ? '; …' : ''}`,
        'release.attachment_invalid',
      );
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const filename = cleanName(file.filename, kind);
    return this.store(actor, product, version, kind, { filename, bytes: file.bytes, sha256, summary: parsed.value });
  }

  /** Stores a parsed attachment under the release's lock: the evidence item, the row, the audit entry. */
  private async store(
    actor: UserActor,
    product: string,
    version: string,
    kind: AttachmentKind,
    f: { filename: string; bytes: Buffer; sha256: string; summary: unknown },
  ): Promise<{ attachment: AttachmentView; created: boolean }> {
    const controls = await this.catalog.controlsByKeys(ATTACHMENT_CONTROLS[kind]);
    return this.ds.transaction(async (m) => {
      const r = (await this.repo.lock(product, version, m))!;
      const existing = await this.repo.findAttachment(r.id, kind, f.sha256, m);
      if (existing) return { attachment: attachmentView(existing, true), created: false };
      const day = buildDay(r);
      const { id: evidenceId } = await this.evidence.recordSnapshot(
        {
          actor: actorRef(actor),
          title: `Release ${r.product} ${r.version}: ${ATTACHMENT_LABELS[kind]}`,
          controlIds: controls.filter((c) => !c.retired).map((c) => c.id),
          data: toJsonObject({
            type: 'release-attachment',
            product: r.product,
            version: r.version,
            commit: r.commit,
            kind,
            filename: f.filename,
            sha256: f.sha256,
            summary: f.summary as object,
          } as object),
          source: 'api',
          evidenceDate: new Date(),
          periodStart: day,
          periodEnd: day,
          attachments: [{ filename: f.filename, mediaType: MEDIA_TYPES[kind], bytes: f.bytes }],
        },
        m,
      );
      const row = await this.repo.insertAttachment(
        {
          releaseId: r.id,
          kind,
          filename: f.filename,
          sha256: f.sha256,
          size: f.bytes.length,
          evidenceId,
          summary: f.summary,
          createdByUserId: actor.id,
        },
        m,
      );
      await this.audit(m, actor, 'release.attach', r, {
        kind,
        sha256: f.sha256,
        filename: f.filename,
        evidence: evidenceId,
      });
      return { attachment: attachmentView(row, true), created: true };
    });
  }

  async list(actor: UserActor, query: ReleaseQueryDto): Promise<Page<ReleaseListItem>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listVisible(abilityFor(actor), { product: query.product }, page);
    return { items: rows.map(listItem), total, ...page };
  }

  /** The list page: each release of the page with its gates and decision. */
  async listDetails(actor: UserActor, query: ReleaseQueryDto): Promise<Page<ReleaseDetail>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listVisible(abilityFor(actor), { product: query.product }, page);
    const items: ReleaseDetail[] = [];
    for (const r of rows) items.push(await this.detail(r));
    return { items, total, ...page };
  }

  async get(actor: UserActor, product: string, version: string): Promise<ReleaseDetail> {
    return this.detail(await this.readable(abilityFor(actor), product, version));
  }

  /** The deploy step's question: may this version go out? Audited on every call, with the answer. */
  async decision(
    actor: Actor,
    product: string,
    version: string,
  ): Promise<ReleaseDecision & { product: string; version: string; releaseSha256: string }> {
    const r = await this.readable(abilityFor(actor), product, version);
    const detail = await this.detail(r);
    await this.trail.record({
      actor: actorRef(actor),
      action: 'release.decision',
      subjectType: 'Release',
      subjectId: r.id,
      data: toJsonObject({
        product,
        version,
        approved: detail.decision.approved,
        missing: detail.decision.missing.map((g) => g.gate),
        releaseSha256: detail.releaseSha256,
      }),
    });
    return { product, version, releaseSha256: detail.releaseSha256, ...detail.decision };
  }

  /** The release if the ability may read it; 404 otherwise (as for one that does not exist). */
  async readable(ability: AppAbility, product: string, version: string, m?: EntityManager): Promise<Release> {
    return readableOr404(ability, 'Release', await this.repo.find(product, version, m), {
      entity: 'release',
      id: `${product}@${version}`,
    });
  }

  /** Everything the release page and the API show about one release. */
  async detail(r: Release, m?: EntityManager, now = new Date()): Promise<ReleaseDetail> {
    const policy = this.gates.policy();
    const [attachments, signatures, previous, acceptedFingerprints] = await Promise.all([
      this.repo.attachmentsOf([r.id], m),
      this.repo.signaturesOf([r.id], m),
      this.repo.previous(r, m),
      this.gates.acceptedExceptions(r.product, now),
    ]);
    const previousSbom = previous
      ? ((currentByKind(await this.repo.attachmentsOf([previous.id], m)).get('sbom')?.summary as
          SbomSummary | undefined) ?? null)
      : null;
    const names = await this.users.namesByIds(signatures.map((s) => s.signerUserId));
    return detailView({
      release: r,
      product: this.gates.product(r.product),
      blockingSeverity: policy.blockingSeverity,
      attachments,
      signatures,
      names,
      previous: previous ? { version: previous.version, sbom: previousSbom } : null,
      acceptedFingerprints,
    });
  }

  async audit(m: EntityManager, actor: Actor, action: AuditAction, r: Release, data: object): Promise<void> {
    await this.trail.append(
      {
        actor: actorRef(actor),
        action,
        subjectType: 'Release',
        subjectId: r.id,
        data: toJsonObject({ product: r.product, version: r.version, ...data }),
      },
      m,
    );
  }
}

const MEDIA_TYPES: Record<AttachmentKind, string> = {
  test_report: 'application/xml',
  sbom: 'application/vnd.cyclonedx+json',
  secret_scan: 'application/json',
  npm_audit: 'application/json',
  osv: 'application/json',
  changelog: 'text/plain; charset=utf-8',
};

const DEFAULT_NAMES: Record<AttachmentKind, string> = {
  test_report: 'junit.xml',
  sbom: 'sbom.cdx.json',
  secret_scan: 'gitleaks.json',
  npm_audit: 'npm-audit.json',
  osv: 'osv-scanner.json',
  changelog: 'CHANGELOG.md',
};

/** The file name as stored (evidence/domain/file-names' rules); the kind's usual name when none is left. */
function cleanName(name: string, kind: AttachmentKind): string {
  return cleanFilename(name, DEFAULT_NAMES[kind]);
}
