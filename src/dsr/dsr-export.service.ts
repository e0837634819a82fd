import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { NotFoundError, RuleViolationError } from '../common/errors/app-error';
import { DAY_MS } from '../common/time/days';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { SystemExport } from './connectors/connector';
import { DataSystemsService, type ExecutableSystem } from './data-systems.service';
import { keysOf, type ProtectedDetails, type SubjectKeys } from './domain/dsr-model';
import { DsrAccess } from './dsr-access';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';
import type { DsrRequest } from './dsr-request.entity';
import { errorText } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import type { DsrRequestView, ExportLinkView } from './dto/dsr.dto';
import { openExportPackage, writeExportPackage } from './export-package';

/** What an export run produced: complete when every automated system answered. */
export interface ExportRun {
  complete: boolean;
  exports: SystemExport[];
  failures: string[];
}

/**
 * Access and portability: the subject's data from every system into one encrypted package, one-time
 * download links for who may read identity, and the package's removal (retention, erasure, drills).
 * Every step that fails keeps the export resumable: done systems are kept, failed ones are retried.
 */
@Injectable()
export class DsrExportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly repo: DsrRepository,
    private readonly systems: DataSystemsService,
    private readonly trail: AuditTrailService,
    private readonly access: DsrAccess,
  ) {}

  /** Exports the subject from every active system into an encrypted package; returns a fresh download link. */
  async export(actor: UserActor, id: string): Promise<{ request: DsrRequestView; link: ExportLinkView | null }> {
    const row = await this.access.executable(actor, id);
    const run = await this.runExport(row, actorRef(actor));
    const link = run.complete ? await this.createLink(row.id, actor) : null;
    return { request: await this.access.get(actor, id), link };
  }

  /** A download link sealed for `actor` (the pages keep it with the form submission to show it after the redirect). */
  sealLink(actor: UserActor, link: ExportLinkView): string {
    return this.keys.encryptJson(toJsonObject(link), `dsr-link-for:${actor.id}`);
  }

  /** A sealed link opened for the same actor, or null when it is not theirs, unreadable or expired. */
  openSealedLink(actor: UserActor, sealed: string, now = new Date()): ExportLinkView | null {
    try {
      const link = this.keys.decryptJson<ExportLinkView>(sealed, `dsr-link-for:${actor.id}`);
      return new Date(link.expiresAt).getTime() > now.getTime() ? link : null;
    } catch {
      return null;
    }
  }

  async newExportLink(actor: UserActor, id: string): Promise<ExportLinkView> {
    const ability = abilityFor(actor);
    const row = await this.access.readable(ability, id);
    this.access.assertIdentityReader(ability, row);
    this.assertPackage(row);
    return this.createLink(row.id, actor);
  }

  /** The decrypted package behind a link: only for who may read subject identity, before the link expires. */
  async download(
    actor: UserActor,
    token: string,
    now = new Date(),
  ): Promise<{ stream: Readable; filename: string; bytes: number | null }> {
    const link = await this.repo.findLinkByToken(createHash('sha256').update(token).digest('hex'));
    if (!link) throw new NotFoundError('export_link');
    const ability = abilityFor(actor);
    const row = await this.access.readable(ability, link.requestId);
    this.access.assertIdentityReader(ability, row);
    if (link.expiresAt.getTime() <= now.getTime())
      throw new RuleViolationError(
        'dsr.link_expired',
        `This download link expired at ${link.expiresAt.toISOString()}; create a new one on the request’s page.`,
      );
    this.assertPackage(row);
    await this.ds.transaction(async (m) => {
      await this.repo.countDownload(link.id, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.export_downloaded',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, linkId: link.id, sha256: row.exportSha256 },
        },
        m,
      );
    });
    return {
      stream: openExportPackage(this.repo.openExport(row.id, row.exportChunks!), this.keys),
      filename: `${row.reference}-export.zip`,
      bytes: row.exportBytes,
    };
  }

  /**
   * Runs (or resumes) the export: each automated system's rows are kept encrypted on its step until all
   * have answered; then the package is written and the rows dropped. Manual systems become tasks.
   */
  async runExport(row: DsrRequest, by: string, given?: ExecutableSystem[]): Promise<ExportRun> {
    const details = this.access.details(row);
    const systems = given ?? (await this.systems.executable());
    try {
      if (row.status === 'verified') await this.repo.updateRequest(row.id, { status: 'in_progress' });
      const { exports, failures } = await this.exportEach(row, keysOf(details.subject), systems);
      if (failures.length) {
        await this.access.failed(row, by, 'dsr.export_failed', failures);
        return { complete: false, exports, failures };
      }
      await this.storePackage(row, by, details, exports);
      return { complete: true, exports, failures };
    } finally {
      if (!given) await this.systems.closeAll(systems);
    }
  }

  /** Each system's export: kept from an earlier run when done, asked for again when not. */
  private async exportEach(
    row: DsrRequest,
    keys: SubjectKeys,
    systems: ExecutableSystem[],
  ): Promise<{ exports: SystemExport[]; failures: string[] }> {
    const exports: SystemExport[] = [];
    const failures: string[] = [];
    for (const s of systems) {
      if (!s.connector) {
        await this.access.manualTask(row, s, 'manual-export');
        continue;
      }
      const action = await this.repo.ensureAction({ requestId: row.id, systemKey: s.system.key, kind: 'export' });
      if (action.status === 'done' && action.resultEnc) {
        exports.push(this.keys.decryptJson<SystemExport>(action.resultEnc, `dsr-export:${action.id}`));
        continue;
      }
      try {
        const result = await s.connector.export(keys);
        exports.push(result);
        await this.repo.updateAction(action.id, {
          status: 'done',
          error: null,
          attempts: action.attempts + 1,
          finishedAt: new Date(),
          summary: { tables: result.tables.map((t) => ({ table: t.table, rows: t.rows.length })) },
          resultEnc: this.keys.encryptJson(result, `dsr-export:${action.id}`),
        });
      } catch (e) {
        const message = errorText(e);
        failures.push(`${s.system.key}: ${message}`);
        await this.repo.updateAction(action.id, {
          status: 'failed',
          error: message,
          attempts: action.attempts + 1,
          finishedAt: new Date(),
        });
      }
    }
    return { exports, failures };
  }

  // Stored in PostgreSQL in the transaction that records it: the package is there whole, or not at all.
  private async storePackage(
    row: DsrRequest,
    by: string,
    details: ProtectedDetails,
    exports: SystemExport[],
  ): Promise<void> {
    await this.ds.transaction(async (m) => {
      const out = await this.repo.exportSink(row.id, m);
      const pkg = await writeExportPackage({
        reference: row.reference,
        subject: {
          right: row.right,
          receivedAt: row.receivedAt,
          identity: { ...details.subject, ...(details.requester ? { requester: details.requester } : {}) },
        },
        exports,
        keyRing: this.keys,
        out,
      });
      await this.repo.updateRequest(
        row.id,
        {
          exportChunks: out.chunks,
          exportSha256: pkg.sha256,
          exportBytes: pkg.bytes,
          exportedAt: new Date(),
          lastError: null,
        },
        m,
      );
      for (const a of await this.repo.actionsOf(row.id, m))
        if (a.kind === 'export' && a.resultEnc) await this.repo.updateAction(a.id, { resultEnc: null }, m);
      await this.trail.append(
        {
          actor: by,
          action: 'dsr.exported',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: {
            reference: row.reference,
            sha256: pkg.sha256,
            bytes: pkg.bytes,
            systems: exports.map((x) => ({ system: x.system, rows: x.tables.reduce((n, t) => n + t.rows.length, 0) })),
          },
        },
        m,
      );
    });
  }

  private async createLink(requestId: string, actor: UserActor): Promise<ExportLinkView> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.dsrExportLinkTtlHours * 3_600_000);
    await this.repo.insertLink({
      requestId,
      tokenSha256: createHash('sha256').update(token).digest('hex'),
      expiresAt,
      createdByUserId: actor.id,
    });
    return { url: `/api/dsr/exports/${token}`, expiresAt: expiresAt.toISOString() };
  }

  /** The package is there, or a clear reason why not (never made; removed by retention or erasure). */
  private assertPackage(row: DsrRequest): void {
    if (row.exportChunks !== null) return;
    if (!row.exportedAt)
      throw new RuleViolationError('dsr.not_exported', `${row.reference} has no export package yet.`);
    throw new RuleViolationError(
      'dsr.package_removed',
      `${row.reference}'s export package was deleted (it holds personal data: kept ${this.config.dsrExportRetentionDays} days, and never after erasure); export again if it is still needed.`,
    );
  }

  /** Deletes the export packages made more than DSR_EXPORT_RETENTION_DAYS ago (the daily job); returns how many. */
  async purgeExportPackages(now = new Date()): Promise<number> {
    const rows = await this.repo.packagesMadeBefore(
      new Date(now.getTime() - this.config.dsrExportRetentionDays * DAY_MS),
    );
    for (const row of rows) await this.removePackage(row, 'system:dsr-export-retention', 'retention');
    return rows.length;
  }

  /** Deletes a request's export package (its bytes; the hash stays), with an audit-trail entry. */
  async removePackage(row: DsrRequest, by: string, reason: 'retention' | 'erasure'): Promise<void> {
    if (row.exportChunks === null) return;
    await this.ds.transaction(async (m) => {
      await this.repo.deleteExport(row.id, m);
      await this.repo.updateRequest(row.id, { exportChunks: null }, m);
      await this.trail.append(
        {
          actor: by,
          action: 'dsr.export_removed',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, reason, sha256: row.exportSha256 },
        },
        m,
      );
    });
  }

  /** Removes a drill's export package (synthetic data: nothing to keep beyond its hash in the report). */
  async dropPackage(row: DsrRequest): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.repo.deleteExport(row.id, m);
      await this.repo.updateRequest(row.id, { exportChunks: null }, m);
    });
  }
}
