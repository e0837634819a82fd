import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { actorRef, type UserActor } from '../authz/actor';
import { RuleViolationError } from '../common/errors/app-error';
import { DAY_MS } from '../common/time/days';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { SeedManifest, TableErasure, TableResidue } from './connectors/connector';
import { DataSystemsService, type ExecutableSystem } from './data-systems.service';
import { backupsExpireAt } from './domain/dsr-clocks';
import { anonymisationAllowed } from './domain/dsr-grounds';
import { keysOf, type SubjectKeys } from './domain/dsr-model';
import { residueLeft } from './domain/erasure-receipt';
import { DsrAccess } from './dsr-access';
import { DsrErasureReceipts } from './dsr-erasure-receipts';
import { DsrExportService } from './dsr-export.service';
import { DsrHoldsService } from './dsr-holds.service';
import type { DsrRequest } from './dsr-request.entity';
import { errorText } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import type { DsrRequestView, EraseDsrDto } from './dto/dsr.dto';
import { formatLocalTime } from '../common/time/calendar';

/** What an erasure run produced. */
export interface ErasureRun {
  complete: boolean;
  blocked: boolean;
  erasures: { system: string; tables: TableErasure[] }[];
  residue: { system: string; tables: TableResidue[] }[];
  failures: string[];
}

/**
 * Erasure: scheduled after a grace period (never while a legal hold is active, never so late that backups
 * would outlive the statutory 90 days), run by the job or resumed by hand, then residue is checked and the
 * receipt stored as evidence. Each system is all-or-nothing; done systems are kept when a run is resumed.
 */
@Injectable()
export class DsrErasureService {
  private readonly log = new Logger('DSR');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DsrRepository,
    private readonly systems: DataSystemsService,
    private readonly trail: AuditTrailService,
    private readonly access: DsrAccess,
    private readonly holds: DsrHoldsService,
    private readonly exports: DsrExportService,
    private readonly receipts: DsrErasureReceipts,
  ) {}

  /** Schedules erasure after the grace period (0: now). Blocked while a legal hold is active. */
  async scheduleErasure(actor: UserActor, id: string, dto: EraseDsrDto, now = new Date()): Promise<DsrRequestView> {
    const row = await this.access.executable(actor, id);
    if (row.right !== 'erasure')
      throw new RuleViolationError(
        'dsr.wrong_right',
        `${row.reference} is a ${row.right} request; only erasure requests erase.`,
      );
    if (row.erasedAt)
      throw new RuleViolationError(
        'dsr.already_erased',
        `${row.reference} was erased on ${formatLocalTime(row.erasedAt)}.`,
      );
    await this.holds.assertNoHold(row, actorRef(actor));
    const graceDays = dto.graceDays ?? this.config.dsrErasureGraceDays;
    const at = new Date(now.getTime() + graceDays * DAY_MS);
    const latest = new Date(row.receivedAt.getTime() + 90 * DAY_MS - this.config.dsrBackupRetentionDays * DAY_MS);
    if (at.getTime() > latest.getTime()) {
      throw new RuleViolationError(
        'dsr.grace_too_long',
        `Erasing on ${formatLocalTime(at)} would leave backups holding the subject past the 90-day limit (backups are kept ${this.config.dsrBackupRetentionDays} days); erase by ${formatLocalTime(latest)}.`,
      );
    }
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(row.id, { erasureScheduledFor: at, status: 'in_progress' }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.erasure_scheduled',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, at: at.toISOString(), graceDays },
        },
        m,
      );
    });
    if (graceDays === 0) await this.runErasure((await this.repo.findRequest(row.id))!, actorRef(actor));
    return this.access.get(actor, id);
  }

  async cancelErasure(actor: UserActor, id: string): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
      if (!row.erasureScheduledFor || row.erasedAt)
        throw new RuleViolationError('dsr.nothing_scheduled', `${row.reference} has no pending erasure.`);
      await this.repo.updateRequest(row.id, { erasureScheduledFor: null }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.erasure_cancelled',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference },
        },
        m,
      );
    });
    return this.access.get(actor, id);
  }

  /** Runs every scheduled erasure whose time has come (the job calls this); returns how many ran to the end. */
  async runDueErasures(now = new Date()): Promise<number> {
    let done = 0;
    for (const row of await this.repo.dueErasures(now)) {
      try {
        if ((await this.runErasure(row, 'system:dsr-erasure')).complete) done++;
      } catch (e) {
        this.log.error(`erasure of ${row.reference} failed: ${errorText(e)}`);
      }
    }
    return done;
  }

  /** Resumes a scheduled erasure whose time has come (after a failure), at the privacy officer's request. */
  async resumeErasure(actor: UserActor, id: string, now = new Date()): Promise<DsrRequestView> {
    const row = await this.access.executable(actor, id);
    if (!row.erasureScheduledFor || row.erasedAt)
      throw new RuleViolationError('dsr.nothing_scheduled', `${row.reference} has no pending erasure.`);
    if (row.erasureScheduledFor.getTime() > now.getTime())
      throw new RuleViolationError(
        'dsr.in_grace_period',
        `Erasure of ${row.reference} is scheduled for ${formatLocalTime(row.erasureScheduledFor)}.`,
      );
    await this.runErasure(row, actorRef(actor));
    return this.access.get(actor, id);
  }

  /**
   * Erases the subject system by system (each all-or-nothing inside its system), then checks every mapped
   * table (and, for drills, every seeded row) for residue. The receipt says what was deleted, anonymised
   * and retained (with the basis) and when the backups holding the subject expire; it becomes evidence.
   */
  async runErasure(
    row: DsrRequest,
    by: string,
    options: { systems?: ExecutableSystem[]; seeds?: Map<string, SeedManifest> } = {},
  ): Promise<ErasureRun> {
    const out: ErasureRun = { complete: false, blocked: false, erasures: [], residue: [], failures: [] };
    if (await this.holds.blockedByHold(row, by)) return { ...out, blocked: true };
    const keys = keysOf(this.access.details(row).subject);
    const systems = options.systems ?? (await this.systems.executable());
    try {
      await this.eraseEach(row, keys, systems, out);
      if (out.failures.length) {
        await this.access.failed(row, by, 'dsr.erasure_failed', out.failures);
        return out;
      }
      await this.checkResidue(keys, systems, options.seeds, out);
    } finally {
      if (!options.systems) await this.systems.closeAll(systems);
    }
    if (out.failures.length) {
      await this.access.failed(row, by, 'dsr.erasure_failed', out.failures);
      return out;
    }
    const complete = await this.recordOutcome(row, by, systems, out);
    // The subject is erased: Attest keeps no copy of their data either (only the package's hash).
    if (complete && !row.isDrill)
      await this.exports.removePackage((await this.repo.findRequest(row.id))!, by, 'erasure');
    return { ...out, complete };
  }

  /** Each system's erasure step: a done step is kept from an earlier run, a failed one is retried. */
  private async eraseEach(row: DsrRequest, keys: SubjectKeys, systems: ExecutableSystem[], out: ErasureRun) {
    for (const s of systems) {
      if (!s.connector) {
        await this.access.manualTask(row, s, 'manual-erase');
        continue;
      }
      const action = await this.repo.ensureAction({ requestId: row.id, systemKey: s.system.key, kind: 'erase' });
      if (action.status === 'done') {
        out.erasures.push({ system: s.system.key, tables: (action.summary?.tables ?? []) as TableErasure[] });
        continue;
      }
      try {
        const tables = await s.connector.erase(keys, { anonymise: anonymisationAllowed(row.ground) });
        out.erasures.push({ system: s.system.key, tables });
        await this.repo.updateAction(action.id, {
          status: 'done',
          error: null,
          attempts: action.attempts + 1,
          finishedAt: new Date(),
          summary: { tables },
        });
      } catch (e) {
        const message = errorText(e);
        out.failures.push(`${s.system.key}: ${message}`);
        await this.repo.updateAction(action.id, {
          status: 'failed',
          error: message,
          attempts: action.attempts + 1,
          finishedAt: new Date(),
        });
      }
    }
  }

  private async checkResidue(
    keys: SubjectKeys,
    systems: ExecutableSystem[],
    seeds: Map<string, SeedManifest> | undefined,
    out: ErasureRun,
  ): Promise<void> {
    for (const s of systems) {
      if (!s.connector) continue;
      try {
        out.residue.push({ system: s.system.key, tables: await s.connector.residue(keys, seeds?.get(s.system.key)) });
      } catch (e) {
        out.failures.push(`${s.system.key}: residue check failed: ${errorText(e)}`);
      }
    }
  }

  /** The receipt on the request (and as evidence when nothing is left); closes it unless manual tasks remain. */
  private async recordOutcome(
    row: DsrRequest,
    by: string,
    systems: ExecutableSystem[],
    out: ErasureRun,
  ): Promise<boolean> {
    const now = new Date();
    const left = residueLeft(out.residue);
    const manualPending = (await this.repo.actionsOf(row.id))
      .filter((a) => a.kind === 'manual-erase' && a.status === 'awaiting_manual')
      .map((a) => a.systemKey);
    const receipt = this.receipts.build(row, now, out, manualPending, systems);
    const complete = left.length === 0;
    let evidenceId: string | null = null;
    if (complete && !row.isDrill) evidenceId = await this.receipts.record(row, receipt, now);
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(
        row.id,
        complete
          ? {
              erasedAt: now,
              backupsExpireAt: backupsExpireAt(now, this.config.dsrBackupRetentionDays),
              receipt,
              receiptEvidenceId: evidenceId,
              lastError: null,
              ...(manualPending.length === 0 && !row.isDrill
                ? { status: 'completed', closedAt: now, closingNote: 'Erased; receipt recorded as evidence.' }
                : {}),
            }
          : {
              receipt,
              lastError: `Residue found after erasure: ${left.join(', ')}`,
            },
        m,
      );
      await this.trail.append(
        {
          actor: by,
          action: complete ? 'dsr.erased' : 'dsr.residue_found',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: toJsonObject({
            reference: row.reference,
            totals: receipt.totals,
            residue: left,
            evidenceId,
          }),
        },
        m,
      );
    });
    return complete;
  }
}
