import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import {
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationError,
  type FieldProblem,
} from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceService } from '../evidence/evidence.service';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import type { SeedManifest, SystemExport, TableErasure, TableResidue } from './connectors/connector';
import { DataSystemsService, type ExecutableSystem } from './data-systems.service';
import { erasureMethods, type ErasureMethod, type PostgresSystemDefinition } from './domain/data-map';
import {
  alertsFor,
  backupsExpireAt,
  clocks,
  clockStatistics,
  deadlines,
  describeRemaining,
  RIGHT_SECTION,
  ROPA_RECORDED_REFUSALS,
  separationDueAt,
  type ClockInput,
  type DsrClockStatistics,
  type DsrRight,
} from './domain/dsr-clocks';
import { anonymisationAllowed, checkGround, separationOwedFrom, type DsrGround } from './domain/dsr-grounds';
import {
  canMove,
  checkSubject,
  formatReference,
  isOpen,
  keysOf,
  updateKindFor,
  type DsrStatus,
  type ProtectedDetails,
} from './domain/dsr-model';
import type { DsrAction } from './dsr-action.entity';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';
import { KeyRingError } from '../common/crypto/key-ring';
import type { DsrRequest } from './dsr-request.entity';
import type { DsrLegalHold } from './dsr-support.entity';
import { DsrRepository } from './dsr.repository';
import type {
  CompleteDsrDto,
  CompleteTaskDto,
  CreateDsrRequestDto,
  DsrActionView,
  DsrQueryDto,
  DsrRequestView,
  EraseDsrDto,
  ExportLinkView,
  LegalHoldDto,
  RejectDsrDto,
  TaskQueryDto,
  VerifyIdentityDto,
} from './dto/dsr.dto';
import { openExportPackage, writeExportPackage } from './export-package';
import { DAY_MS, dayOf } from '../common/time/days';

/** Controls that name this collector get erasure receipts (and the weekly register snapshot). */
export const DSR_REGISTER_COLLECTOR = 'dsr-register';

/** What an export run produced: complete when every automated system answered. */
export interface ExportRun {
  complete: boolean;
  exports: SystemExport[];
  failures: string[];
}

/** What an erasure run produced. */
export interface ErasureRun {
  complete: boolean;
  blocked: boolean;
  erasures: { system: string; tables: TableErasure[] }[];
  residue: { system: string; tables: TableResidue[] }[];
  failures: string[];
}

/**
 * Data subject requests under PDPA: intake with the subject's identity encrypted, identity verification
 * before anything executes, execution per data system (export package, erasure with a grace period and
 * legal holds, rectification/restriction), residue checks, receipts as evidence, clocks and reminders.
 * Every step that fails keeps the request resumable: done steps are kept, failed ones are retried.
 */
@Injectable()
export class DsrService {
  private readonly log = new Logger('DSR');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly repo: DsrRepository,
    private readonly systems: DataSystemsService,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  // ---- intake and register -------------------------------------------------------------------------

  async create(actor: UserActor, dto: CreateDsrRequestDto, now = new Date()): Promise<DsrRequestView> {
    if (!abilityFor(actor).can('create', 'DsrRequest')) throw new ForbiddenError();
    const problems: FieldProblem[] = [];
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : now;
    if (receivedAt.getTime() > now.getTime() + 60_000)
      problems.push({ field: 'receivedAt', message: 'is in the future' });
    const subject = checkSubject(dto.subject, problems);
    const changes = this.checkChanges(dto.right, dto.changes, problems);
    const ground = checkGround(dto.right, dto.ground, problems);
    if (problems.length) throw new ValidationError(problems);
    const row = await this.insertRequest(actor, {
      right: dto.right,
      ground,
      channel: dto.channel,
      receivedAt,
      details: { subject, requester: dto.requester ?? null, changes },
      isDrill: false,
    });
    // A direct-marketing objection is separated at once, before identity is verified (a rejection lifts it).
    if (row.right === 'objection' && separationOwedFrom(row.ground, row.receivedAt, null))
      await this.separate(row, actorRef(actor));
    return this.get(actor, row.id);
  }

  /** Stores a new request (also used by drills, with a system actor). */
  async insertRequest(
    actor: Actor,
    input: {
      right: DsrRight;
      ground: DsrGround | null;
      channel: string;
      receivedAt: Date;
      details: ProtectedDetails;
      isDrill: boolean;
    },
    m?: EntityManager,
  ): Promise<DsrRequest> {
    const run = async (tx: EntityManager): Promise<DsrRequest> => {
      const seq = await this.repo.nextReferenceNumber(tx);
      const id = randomUUID();
      const { dueAt } = deadlines(input.right, input.receivedAt);
      const statutoryDueAt =
        input.right === 'objection'
          ? separationDueAt(separationOwedFrom(input.ground, input.receivedAt, null))
          : deadlines(input.right, input.receivedAt).statutoryDueAt;
      const row = await this.repo.insertRequest(
        {
          id,
          reference: formatReference(input.receivedAt, seq),
          right: input.right,
          ground: input.ground,
          channel: input.channel,
          status: 'received',
          receivedAt: input.receivedAt,
          protectedEnc: this.keys.encryptJson(input.details, `dsr:${id}`),
          isRepresentative: input.details.requester !== null,
          dueAt,
          statutoryDueAt,
          isDrill: input.isDrill,
          createdByUserId: actor.kind === 'user' ? actor.id : null,
        },
        tx,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.received',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: {
            reference: row.reference,
            right: row.right,
            ground: row.ground,
            channel: row.channel,
            drill: row.isDrill,
          },
        },
        tx,
      );
      return row;
    };
    return m ? run(m) : this.ds.transaction(run);
  }

  async list(actor: UserActor, query: DsrQueryDto, now = new Date()): Promise<Page<DsrRequestView>> {
    const page = pageOf(query);
    const ability = abilityFor(actor);
    const { rows, total } = await this.repo.listVisible(
      ability,
      {
        status: query.status,
        right: query.right,
        open: query.open,
        overdue: query.overdue,
        includeDrills: query.drills,
        q: query.q,
      },
      page,
      now,
    );
    // A row encrypted with a key this instance lacks is listed, marked unreadable; the others still show.
    return { items: rows.map((r) => this.view(ability, r, [], [], now, { unreadableRows: true })), total, ...page };
  }

  async get(actor: UserActor, id: string, now = new Date()): Promise<DsrRequestView> {
    const ability = abilityFor(actor);
    const row = await this.visible(ability, id);
    const [actions, holds] = await Promise.all([this.repo.actionsOf(id), this.repo.holdsOf(id)]);
    return this.view(ability, row, actions, holds, now);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Records the verification; an objection's separation is owed from now (direct marketing: already applied). */
  async verifyIdentity(actor: UserActor, id: string, dto: VerifyIdentityDto): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
      this.move(row, 'verified');
      const verifiedAt = new Date();
      const separation =
        row.right === 'objection' && !row.statutoryDueAt
          ? { statutoryDueAt: separationDueAt(separationOwedFrom(row.ground, row.receivedAt, verifiedAt)) }
          : {};
      await this.repo.updateRequest(
        row.id,
        {
          status: 'verified',
          verifiedAt,
          verificationMethod: dto.method,
          verificationReferenceEnc: this.keys.encryptText(dto.reference, `dsr-verification:${row.id}`),
          verifiedByUserId: actor.id,
          ...separation,
        },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.identity_verified',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, method: dto.method },
        },
        m,
      );
    });
    const row = (await this.repo.findRequest(id))!;
    if (row.right === 'objection') {
      await this.separate(row, actorRef(actor));
      await this.closeIfDone(row.id, actorRef(actor));
    }
    return this.get(actor, id);
  }

  /**
   * Refuses the request; refusals of access, portability, objection and rectification go to the ROPA (s. 39).
   * A separation or restriction the request applied (an objection flagged on arrival) is lifted.
   */
  async reject(actor: UserActor, id: string, dto: RejectDsrDto): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
      this.move(row, 'rejected');
      const now = new Date();
      await this.repo.updateRequest(
        row.id,
        { status: 'rejected', rejectionReason: dto.reason, closedAt: now, erasureScheduledFor: null },
        m,
      );
      let ropa: string | null = null;
      if ((ROPA_RECORDED_REFUSALS as readonly string[]).includes(row.right)) {
        ropa = (
          await this.repo.insertRopa(
            { requestId: row.id, right: row.right, reason: dto.reason, recordedByUserId: actor.id, recordedAt: now },
            m,
          )
        ).id;
      }
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.rejected',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, right: row.right, ropaEntryId: ropa },
        },
        m,
      );
    });
    await this.liftRestriction((await this.repo.findRequest(id))!, actorRef(actor));
    return this.get(actor, id);
  }

  /** Closes an access/portability request once its package exists, or any request whose steps are all done. */
  async complete(actor: UserActor, id: string, dto: CompleteDsrDto): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
      this.move(row, 'completed');
      const actions = await this.repo.actionsOf(row.id, m);
      const pending = actions.filter((a) => a.status !== 'done' && a.status !== 'skipped');
      if (pending.length)
        throw new RuleViolationError(
          'dsr.steps_pending',
          `${pending.length} step(s) are not done yet: ${pending.map((a) => `${a.systemKey} ${a.kind}`).join(', ')}.`,
        );
      if ((row.right === 'access' || row.right === 'portability') && !row.exportedAt)
        throw new RuleViolationError(
          'dsr.not_exported',
          'Export the subject’s data before closing an access or portability request.',
        );
      if (row.right === 'erasure' && !row.erasedAt)
        throw new RuleViolationError('dsr.not_erased', 'Erasure has not run yet.');
      await this.repo.updateRequest(row.id, { status: 'completed', closingNote: dto.note, closedAt: new Date() }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.completed',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference },
        },
        m,
      );
    });
    return this.get(actor, id);
  }

  async placeHold(actor: UserActor, id: string, dto: LegalHoldDto): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
      if (!isOpen(row.status as DsrStatus))
        throw new RuleViolationError('dsr.closed', `${row.reference} is ${row.status}.`);
      const hold = await this.repo.insertHold({ requestId: row.id, reason: dto.reason, placedByUserId: actor.id }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.hold_placed',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, holdId: hold.id, reason: dto.reason },
        },
        m,
      );
    });
    return this.get(actor, id);
  }

  async releaseHold(actor: UserActor, id: string, holdId: string): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
      const hold = (await this.repo.holdsOf(row.id, m)).find((h) => h.id === holdId);
      if (!hold) throw new NotFoundError('legal_hold', holdId);
      if (!(await this.repo.releaseHold(hold.id, actor.id, m)))
        throw new RuleViolationError('dsr.hold_released', 'This hold was already released.');
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.hold_released',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, holdId },
        },
        m,
      );
    });
    return this.get(actor, id);
  }

  // ---- export ------------------------------------------------------------------------------------

  /** Exports the subject from every active system into an encrypted package; returns a fresh download link. */
  async export(actor: UserActor, id: string): Promise<{ request: DsrRequestView; link: ExportLinkView | null }> {
    const row = await this.executable(actor, id);
    const run = await this.runExport(row, actorRef(actor));
    const link = run.complete ? await this.createLink(row.id, actor) : null;
    return { request: await this.get(actor, id), link };
  }

  /** A download link sealed for `actor` (the pages keep it with the form submission to show it after the redirect). */
  sealLink(actor: UserActor, link: ExportLinkView): string {
    return this.keys.encryptJson(link as unknown as JsonObject, `dsr-link-for:${actor.id}`);
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
    const row = await this.visible(ability, id);
    this.assertIdentityReader(ability, row);
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
    const row = await this.visible(ability, link.requestId);
    this.assertIdentityReader(ability, row);
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
    const details = this.details(row);
    const keys = keysOf(details.subject);
    const systems = given ?? (await this.systems.executable());
    const exports: SystemExport[] = [];
    const failures: string[] = [];
    try {
      if (row.status === 'verified') await this.repo.updateRequest(row.id, { status: 'in_progress' });
      for (const s of systems) {
        if (!s.connector) {
          await this.manualTask(row, s, 'manual-export');
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
      if (failures.length) {
        await this.failed(row, by, 'dsr.export_failed', failures);
        return { complete: false, exports, failures };
      }
      // Stored in PostgreSQL in the transaction that records it: the package is there whole, or not at all.
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
              systems: exports.map((x) => ({
                system: x.system,
                rows: x.tables.reduce((n, t) => n + t.rows.length, 0),
              })),
            },
          },
          m,
        );
      });
      return { complete: true, exports, failures };
    } finally {
      if (!given) await this.systems.closeAll(systems);
    }
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

  // ---- erasure -----------------------------------------------------------------------------------

  /** Schedules erasure after the grace period (0: now). Blocked while a legal hold is active. */
  async scheduleErasure(actor: UserActor, id: string, dto: EraseDsrDto, now = new Date()): Promise<DsrRequestView> {
    const row = await this.executable(actor, id);
    if (row.right !== 'erasure')
      throw new RuleViolationError(
        'dsr.wrong_right',
        `${row.reference} is a ${row.right} request; only erasure requests erase.`,
      );
    if (row.erasedAt)
      throw new RuleViolationError(
        'dsr.already_erased',
        `${row.reference} was erased at ${row.erasedAt.toISOString()}.`,
      );
    await this.assertNoHold(row, actorRef(actor));
    const graceDays = dto.graceDays ?? this.config.dsrErasureGraceDays;
    const at = new Date(now.getTime() + graceDays * DAY_MS);
    const latest = new Date(row.receivedAt.getTime() + 90 * DAY_MS - this.config.dsrBackupRetentionDays * DAY_MS);
    if (at.getTime() > latest.getTime()) {
      throw new RuleViolationError(
        'dsr.grace_too_long',
        `Erasing on ${at.toISOString()} would leave backups holding the subject past the 90-day limit (backups are kept ${this.config.dsrBackupRetentionDays} days); erase by ${latest.toISOString()}.`,
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
    return this.get(actor, id);
  }

  async cancelErasure(actor: UserActor, id: string): Promise<DsrRequestView> {
    await this.change(actor, id, async (row, m) => {
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
    return this.get(actor, id);
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
    const row = await this.executable(actor, id);
    if (!row.erasureScheduledFor || row.erasedAt)
      throw new RuleViolationError('dsr.nothing_scheduled', `${row.reference} has no pending erasure.`);
    if (row.erasureScheduledFor.getTime() > now.getTime())
      throw new RuleViolationError(
        'dsr.in_grace_period',
        `Erasure of ${row.reference} is scheduled for ${row.erasureScheduledFor.toISOString()}.`,
      );
    await this.runErasure(row, actorRef(actor));
    return this.get(actor, id);
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
    const holds = (await this.repo.holdsOf(row.id)).filter((h) => !h.releasedAt);
    if (holds.length) {
      await this.ds.transaction(async (m) => {
        await this.repo.updateRequest(
          row.id,
          { lastError: `Erasure blocked by legal hold: ${holds.map((h) => h.reason).join('; ')}` },
          m,
        );
        await this.trail.append(
          {
            actor: by,
            action: 'dsr.erasure_blocked',
            subjectType: 'DsrRequest',
            subjectId: row.id,
            data: { reference: row.reference, holds: holds.map((h) => ({ id: h.id, reason: h.reason })) },
          },
          m,
        );
      });
      return { ...out, blocked: true };
    }
    const keys = keysOf(this.details(row).subject);
    const systems = options.systems ?? (await this.systems.executable());
    try {
      for (const s of systems) {
        if (!s.connector) {
          await this.manualTask(row, s, 'manual-erase');
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
            summary: { tables } as unknown as Record<string, unknown>,
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
      if (out.failures.length) {
        await this.failed(row, by, 'dsr.erasure_failed', out.failures);
        return out;
      }
      for (const s of systems) {
        if (!s.connector) continue;
        try {
          out.residue.push({
            system: s.system.key,
            tables: await s.connector.residue(keys, options.seeds?.get(s.system.key)),
          });
        } catch (e) {
          out.failures.push(`${s.system.key}: residue check failed: ${errorText(e)}`);
        }
      }
    } finally {
      if (!options.systems) await this.systems.closeAll(systems);
    }
    if (out.failures.length) {
      await this.failed(row, by, 'dsr.erasure_failed', out.failures);
      return out;
    }
    const now = new Date();
    const residueLeft = out.residue.flatMap((r) =>
      r.tables
        .filter((t) => !t.retained && t.rows > 0)
        .map((t) => `${r.system}.${t.table} (${t.rows} row${t.rows === 1 ? '' : 's'})`),
    );
    const actions = await this.repo.actionsOf(row.id);
    const manualPending = actions
      .filter((a) => a.kind === 'manual-erase' && a.status === 'awaiting_manual')
      .map((a) => a.systemKey);
    const methods = new Map(
      systems
        .filter((s) => s.definition.kind === 'postgres')
        .map((s) => [s.system.key, erasureMethods((s.definition as PostgresSystemDefinition).postgres)]),
    );
    const receipt = this.receipt(row, now, out, manualPending, methods);
    const complete = residueLeft.length === 0;
    let evidenceId: string | null = null;
    if (complete && !row.isDrill) evidenceId = await this.recordReceipt(row, receipt, now);
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(
        row.id,
        complete
          ? {
              erasedAt: now,
              backupsExpireAt: backupsExpireAt(now, this.config.dsrBackupRetentionDays),
              receipt: receipt as unknown as Record<string, unknown>,
              receiptEvidenceId: evidenceId,
              lastError: null,
              ...(manualPending.length === 0 && !row.isDrill
                ? { status: 'completed', closedAt: now, closingNote: 'Erased; receipt recorded as evidence.' }
                : {}),
            }
          : {
              receipt: receipt as unknown as Record<string, unknown>,
              lastError: `Residue found after erasure: ${residueLeft.join(', ')}`,
            },
        m,
      );
      await this.trail.append(
        {
          actor: by,
          action: complete ? 'dsr.erased' : 'dsr.residue_found',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: {
            reference: row.reference,
            totals: receipt.totals,
            residue: residueLeft,
            evidenceId,
          } as unknown as JsonObject,
        },
        m,
      );
    });
    // The subject is erased: Attest keeps no copy of their data either (only the package's hash).
    if (complete && !row.isDrill) await this.removePackage((await this.repo.findRequest(row.id))!, by, 'erasure');
    return { ...out, complete };
  }

  /**
   * The erasure receipt (no identity). Per table the method actually used — deleted, anonymised,
   * pseudonymised (identifiers blanked but still linked by retained rows) or retained with its basis — what
   * remains and where, and whether the subject must be told that a method other than deletion was used
   * (PDPC erasure notification 2024; never anonymisation when the ground is unlawful processing).
   */
  private receipt(
    row: DsrRequest,
    now: Date,
    run: ErasureRun,
    manualPending: string[],
    methods: Map<string, Map<string, { method: ErasureMethod; linkedBy: string[] }>>,
  ) {
    const expires = backupsExpireAt(now, this.config.dsrBackupRetentionDays);
    const statutory = row.statutoryDueAt ?? new Date(row.receivedAt.getTime() + 90 * DAY_MS);
    const systems = run.erasures.map((e) => ({
      system: e.system,
      tables: e.tables.map((t) => {
        const mapped = t.rule === 'anonymise' ? methods.get(e.system)?.get(t.table) : undefined;
        const method: ErasureMethod = mapped?.method ?? t.rule;
        return {
          table: t.table,
          rule: t.rule,
          method,
          rows: t.rows,
          ...(t.insteadOf ? { insteadOf: t.insteadOf } : {}),
          ...(mapped?.linkedBy.length ? { linkedBy: mapped.linkedBy } : {}),
          ...(t.basis ? { basis: t.basis } : {}),
          ...(t.retention ? { retention: t.retention } : {}),
        };
      }),
    }));
    const all = systems.flatMap((e) => e.tables);
    const sum = (method: ErasureMethod) => all.filter((t) => t.method === method).reduce((n, t) => n + t.rows, 0);
    // What stays of the subject, where, and on what basis (the residue check finds rows by identifiers only).
    const remains = systems.flatMap((e) =>
      e.tables
        .filter((t) => t.method !== 'delete' && t.rows > 0)
        .map((t) => ({
          system: e.system,
          table: t.table,
          method: t.method,
          rows: t.rows,
          ...(t.basis ? { basis: t.basis } : {}),
          ...(t.retention ? { retention: t.retention } : {}),
          ...(t.linkedBy ? { linkedBy: t.linkedBy } : {}),
        })),
    );
    return {
      reference: row.reference,
      right: row.right,
      ground: row.ground,
      anonymisationAllowed: anonymisationAllowed(row.ground),
      receivedAt: row.receivedAt.toISOString(),
      erasedAt: now.toISOString(),
      systems,
      residue: run.residue.map((r) => ({
        system: r.system,
        tables: r.tables
          .filter((t) => t.rows > 0)
          .map((t) => ({ table: t.table, rows: t.rows, retained: t.retained, ...(t.basis ? { basis: t.basis } : {}) })),
      })),
      totals: {
        deleted: sum('delete'),
        anonymised: sum('anonymise'),
        pseudonymised: sum('pseudonymise'),
        retained: sum('retain'),
      },
      remains,
      /** The subject is told when a method other than deletion was used (PDPC erasure notification 2024). */
      subjectToBeTold: remains.length > 0,
      manualPending,
      backups: {
        retentionDays: this.config.dsrBackupRetentionDays,
        expireAt: expires.toISOString(),
        statutoryDeadline: statutory.toISOString(),
        withinStatutoryPeriod: expires.getTime() <= statutory.getTime(),
      },
    };
  }

  private async recordReceipt(
    row: DsrRequest,
    receipt: ReturnType<DsrService['receipt']>,
    now: Date,
  ): Promise<string | null> {
    const controls = (await this.catalog.liveControls()).filter((c) => c.collector === DSR_REGISTER_COLLECTOR);
    if (controls.length === 0) return null;
    const day = dayOf(now);
    const { id } = await this.evidence.recordSnapshot({
      actor: 'system:dsr',
      title: `Erasure receipt ${row.reference}`,
      controlIds: controls.map((c) => c.id),
      data: receipt as unknown as JsonObject,
      source: 'collector:dsr-erasure-receipt',
      evidenceDate: now,
      periodStart: day,
      periodEnd: day,
    });
    return id;
  }

  // ---- rectification, restriction, objection, consent withdrawal -------------------------------------

  /** Applies rectification or restriction (objection: separation) through every system whose map allows it; others become tasks. */
  async execute(actor: UserActor, id: string): Promise<DsrRequestView> {
    const row = await this.executable(actor, id);
    const kind = updateKindFor(row.right as DsrRight);
    if (!kind)
      throw new RuleViolationError(
        'dsr.wrong_right',
        `${row.reference} is a ${row.right} request: use export or erase.`,
      );
    if (row.status === 'verified') await this.repo.updateRequest(row.id, { status: 'in_progress' });
    const failures = await this.applyUpdate(row, kind);
    if (failures.length) await this.failed(row, actorRef(actor), `dsr.${kind}_failed`, failures);
    else {
      await this.ds.transaction(async (m) => {
        await this.repo.updateRequest(row.id, { lastError: null }, m);
        await this.trail.append(
          {
            actor: actorRef(actor),
            action: `dsr.${kind === 'rectify' ? 'rectified' : 'restricted'}`,
            subjectType: 'DsrRequest',
            subjectId: row.id,
            data: { reference: row.reference },
          },
          m,
        );
      });
      await this.markSeparatedIfDone(row.id, actorRef(actor));
      await this.closeIfDone(row.id, actorRef(actor));
    }
    return this.get(actor, id);
  }

  /**
   * An objection's separation (PDPA s. 32 para 2): the restriction flag through every connector that has one,
   * a manual task for the others; `separated_at` once every system is done. Failures stay on the request
   * (its statutory clock runs on) and are retried by executing it.
   */
  private async separate(row: DsrRequest, by: string): Promise<void> {
    const failures = await this.applyUpdate(row, 'restrict');
    if (failures.length) {
      await this.failed(row, by, 'dsr.separation_failed', failures);
      return;
    }
    await this.markSeparatedIfDone(row.id, by);
  }

  /** Sets `separated_at` on an objection once every restriction step (automated or manual) is done. */
  private async markSeparatedIfDone(requestId: string, by: string): Promise<void> {
    const row = await this.repo.findRequest(requestId);
    if (!row || row.right !== 'objection' || row.separatedAt) return;
    const steps = (await this.repo.actionsOf(requestId)).filter(
      (a) => a.kind === 'restrict' || a.kind === 'manual-restrict',
    );
    if (steps.length === 0 || steps.some((a) => a.status !== 'done' && a.status !== 'skipped')) return;
    const at = new Date();
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(row.id, { separatedAt: at, lastError: null }, m);
      await this.trail.append(
        {
          actor: by,
          action: 'dsr.separated',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, ground: row.ground, afterMs: at.getTime() - row.receivedAt.getTime() },
        },
        m,
      );
    });
  }

  /** Runs one update (rectify / restrict) through every active system; returns the failures. */
  private async applyUpdate(row: DsrRequest, kind: 'rectify' | 'restrict'): Promise<string[]> {
    const details = this.details(row);
    const keys = keysOf(details.subject);
    const systems = await this.systems.executable();
    const failures: string[] = [];
    try {
      for (const s of systems) {
        const action = await this.repo.ensureAction({ requestId: row.id, systemKey: s.system.key, kind });
        if (action.status === 'done' || action.status === 'skipped') continue;
        try {
          const result = s.connector
            ? await s.connector.update(keys, kind === 'rectify' ? { kind, changes: details.changes ?? {} } : { kind })
            : null;
          if (result === null) {
            await this.repo.updateAction(action.id, {
              status: 'skipped',
              finishedAt: new Date(),
              summary: { reason: s.connector ? 'the data map declares nothing for this' : 'manual system' },
            });
            await this.manualTask(row, s, `manual-${kind}`);
          } else {
            await this.repo.updateAction(action.id, {
              status: 'done',
              error: null,
              attempts: action.attempts + 1,
              finishedAt: new Date(),
              summary: { tables: result } as unknown as Record<string, unknown>,
            });
          }
        } catch (e) {
          failures.push(`${s.system.key}: ${errorText(e)}`);
          await this.repo.updateAction(action.id, {
            status: 'failed',
            error: errorText(e),
            attempts: action.attempts + 1,
            finishedAt: new Date(),
          });
        }
      }
    } finally {
      await this.systems.closeAll(systems);
    }
    return failures;
  }

  /**
   * Lifts the restriction a rejected request applied: the map's lift values through each connector whose
   * restrict step ran, a manual task where a manual restriction task was created. Failures are recorded.
   */
  private async liftRestriction(row: DsrRequest, by: string): Promise<void> {
    const steps = (await this.repo.actionsOf(row.id)).filter(
      (a) => (a.kind === 'restrict' && a.status === 'done') || a.kind === 'manual-restrict',
    );
    if (steps.length === 0) return;
    const keys = keysOf(this.details(row).subject);
    const systems = await this.systems.executable();
    const failures: string[] = [];
    try {
      for (const step of steps) {
        const s = systems.find((x) => x.system.key === step.systemKey);
        if (!s) continue;
        if (step.kind === 'manual-restrict' || !s.connector) {
          await this.manualTask(row, s, 'manual-unrestrict');
          continue;
        }
        const action = await this.repo.ensureAction({ requestId: row.id, systemKey: s.system.key, kind: 'unrestrict' });
        if (action.status === 'done') continue;
        try {
          const result = await s.connector.update(keys, { kind: 'unrestrict' });
          await this.repo.updateAction(action.id, {
            status: 'done',
            error: null,
            attempts: action.attempts + 1,
            finishedAt: new Date(),
            summary: { tables: result ?? [] } as unknown as Record<string, unknown>,
          });
        } catch (e) {
          failures.push(`${s.system.key}: ${errorText(e)}`);
          await this.repo.updateAction(action.id, {
            status: 'failed',
            error: errorText(e),
            attempts: action.attempts + 1,
            finishedAt: new Date(),
          });
        }
      }
    } finally {
      await this.systems.closeAll(systems);
    }
    if (failures.length) await this.failed(row, by, 'dsr.unrestrict_failed', failures);
    else
      await this.trail.record({
        actor: by,
        action: 'dsr.restriction_lifted',
        subjectType: 'DsrRequest',
        subjectId: row.id,
        data: { reference: row.reference, systems: steps.map((a) => a.systemKey) },
      });
  }

  // ---- manual tasks ------------------------------------------------------------------------------

  async listTasks(
    actor: UserActor,
    query: TaskQueryDto,
  ): Promise<Page<DsrActionView & { requestId: string; reference: string }>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listTasksVisible(abilityFor(actor), page, query.open ?? true);
    const refs = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.requestId)))
      refs.set(id, (await this.repo.findRequest(id))?.reference ?? '');
    return {
      items: rows.map((a) => ({ ...actionView(a), requestId: a.requestId, reference: refs.get(a.requestId) ?? '' })),
      total,
      ...page,
    };
  }

  async completeTask(actor: UserActor, actionId: string, dto: CompleteTaskDto): Promise<DsrActionView> {
    const ability = abilityFor(actor);
    const action = await this.repo.findAction(actionId);
    if (!action || !action.kind.startsWith('manual') || !ability.can('read', asSubject('DsrTask', action)))
      throw new NotFoundError('dsr_task', actionId);
    if (!ability.can('update', asSubject('DsrTask', action))) throw new ForbiddenError();
    if (action.status !== 'awaiting_manual')
      throw new RuleViolationError('dsr.task_done', 'This task is already done.');
    const checklist = action.checklist ?? [];
    if (dto.checklist && dto.checklist.length !== checklist.length)
      throw new ValidationError([
        { field: 'checklist', message: `must have ${checklist.length} answers, one per item` },
      ]);
    const answered = checklist.map((c, i) => ({ item: c.item, done: dto.checklist?.[i] ?? false }));
    const open = answered.filter((c) => !c.done);
    if (open.length)
      throw new ValidationError([
        { field: 'checklist', message: `tick every item before completing: ${open.map((c) => c.item).join('; ')}` },
      ]);
    await this.ds.transaction(async (m) => {
      await this.repo.updateAction(
        action.id,
        {
          status: 'done',
          checklist: answered,
          outcomeNote: dto.note,
          completedByUserId: actor.id,
          finishedAt: new Date(),
        },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'dsr.task_completed',
          subjectType: 'DsrRequest',
          subjectId: action.requestId,
          data: { taskId: action.id, system: action.systemKey, kind: action.kind },
        },
        m,
      );
    });
    await this.markSeparatedIfDone(action.requestId, actorRef(actor));
    await this.closeIfDone(action.requestId, actorRef(actor));
    return actionView((await this.repo.findAction(action.id))!);
  }

  /** Closes an erasure or update request once its last manual task is done. */
  private async closeIfDone(requestId: string, by: string): Promise<void> {
    const row = await this.repo.findRequest(requestId);
    // A request is never closed before its requester's identity is verified (a direct-marketing objection is separated before).
    if (!row || !isOpen(row.status as DsrStatus) || row.status === 'received' || row.isDrill) return;
    const actions = await this.repo.actionsOf(requestId);
    if (actions.some((a) => a.status === 'awaiting_manual' || a.status === 'failed' || a.status === 'pending')) return;
    const kind = updateKindFor(row.right as DsrRight);
    const finished =
      (row.right === 'erasure' && row.erasedAt !== null) ||
      (kind !== null && actions.some((a) => a.kind === kind || a.kind === `manual-${kind}`));
    if (!finished) return;
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(
        row.id,
        { status: 'completed', closedAt: new Date(), closingNote: 'Every system done.' },
        m,
      );
      await this.trail.append(
        {
          actor: by,
          action: 'dsr.completed',
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference },
        },
        m,
      );
    });
  }

  private async manualTask(row: DsrRequest, s: ExecutableSystem, kind: string): Promise<void> {
    const checklist = (
      s.definition.kind === 'manual'
        ? s.definition.manual.checklist
        : [`${kind.replace('manual-', '')} the subject in ${s.system.name}`]
    ).map((item: string) => ({ item, done: false }));
    await this.repo.ensureAction({
      requestId: row.id,
      systemKey: s.system.key,
      kind,
      status: 'awaiting_manual',
      ownerUserId: s.system.ownerUserId,
      ownerDepartment: s.system.ownerDepartment,
      checklist,
    });
  }

  // ---- clocks ------------------------------------------------------------------------------------

  /** Reminds privacy officers before a clock runs out and escalates to compliance managers; each alert once. */
  async remindClocks(now = new Date()): Promise<number> {
    const [officers, managers] = await Promise.all([
      this.users.activeUserIds({ role: 'privacy_officer' }),
      this.users.activeUserIds({ role: 'compliance_manager' }),
    ]);
    let raised = 0;
    for (const row of await this.repo.openRequests()) {
      const view = clocks({ ...clockInput(row), closedAt: null }, now);
      for (const alert of alertsFor(view)) {
        const recipients = alert.kind === 'reminder' ? officers : [...new Set([...officers, ...managers])];
        const remaining = alert.clock === 'internal' ? view.internal.remainingMs : view.statutory!.remainingMs;
        const deadline =
          alert.clock === 'internal'
            ? 'internal 7-day SLA'
            : row.right === 'objection'
              ? `separation of the data (${RIGHT_SECTION.objection} para 2)`
              : `statutory deadline (${RIGHT_SECTION[row.right as DsrRight]})`;
        for (const userId of recipients) {
          const created = await this.notifications.enqueue({
            recipientUserId: userId,
            kind: `dsr.${alert.kind}`,
            dedupeKey: `dsr:${row.id}:${alert.kind}:${alert.clock}:${userId}`,
            subject: `${row.reference} (${row.right}): ${deadline} ${describeRemaining(remaining)}`,
            body: `${row.reference} is ${row.status.replace('_', ' ')}. The ${deadline} is ${alert.dueAt}.`,
            link: `/dsr/${row.id}`,
          });
          if (created) raised++;
        }
      }
    }
    return raised;
  }

  /** The register for a week, without identity: open requests with clocks, closed ones, refusals in the ROPA. */
  async registerSnapshot(from: Date, to: Date, now = new Date()): Promise<JsonObject> {
    const rows = await this.repo.requestsBetween(from, to);
    const ropa = await this.repo.ropaBetween(from, to);
    const item = (r: DsrRequest) => {
      const c = clocks(clockInput(r), now);
      return {
        reference: r.reference,
        right: r.right,
        ground: r.ground,
        status: r.status,
        receivedAt: r.receivedAt.toISOString(),
        verifiedAt: r.verifiedAt?.toISOString() ?? null,
        separatedAt: r.separatedAt?.toISOString() ?? null,
        closedAt: r.closedAt?.toISOString() ?? null,
        internal: c.internal.state,
        statutory: c.statutory?.state ?? null,
        dueAt: c.internal.dueAt,
        statutoryDueAt: c.statutory?.dueAt ?? null,
        ...(c.statutory?.measure === 'separation' ? { separationElapsedMs: c.statutory.elapsedMs ?? null } : {}),
      };
    };
    const items = rows.map(item);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      counts: {
        open: items.filter((i) => isOpen(i.status as DsrStatus)).length,
        closed: items.filter((i) => !isOpen(i.status as DsrStatus)).length,
        overdue: items.filter((i) => i.internal === 'overdue' || i.statutory === 'overdue').length,
        missed: items.filter((i) => i.internal === 'missed' || i.statutory === 'missed').length,
      },
      requests: items,
      refusalsRecorded: ropa.map((e) => ({
        requestId: e.requestId,
        right: e.right,
        reason: e.reason,
        recordedAt: e.recordedAt.toISOString(),
      })),
    } as unknown as JsonObject;
  }

  /**
   * Clock statistics of the requests received in [from, to), drills excluded, as they stood at `to` (or now,
   * if earlier): counts only, never identity (audit packs). A request closed after `to` counts as open.
   */
  async clockStatistics(from: Date, to: Date, now = new Date()): Promise<DsrClockStatistics> {
    const rows = (await this.repo.requestsBetween(from, to)).filter((r) => r.receivedAt >= from && r.receivedAt < to);
    return clockStatistics(rows, to < now ? to : now);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** The decrypted identity part of a request (callers must have checked who may see it). */
  details(row: DsrRequest): ProtectedDetails {
    return this.keys.decryptJson<ProtectedDetails>(row.protectedEnc, `dsr:${row.id}`);
  }

  /** Marks a request verified without a person (drills: the subject is synthetic). */
  async markVerified(row: DsrRequest, by: string, method: string, m?: EntityManager): Promise<void> {
    await this.repo.updateRequest(
      row.id,
      { status: 'verified', verifiedAt: new Date(), verificationMethod: method },
      m,
    );
    row.status = 'verified';
  }

  async markDrillDone(id: string, m?: EntityManager): Promise<void> {
    await this.repo.updateRequest(id, { status: 'completed', closedAt: new Date(), closingNote: 'Drill finished.' }, m);
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
  private async removePackage(row: DsrRequest, by: string, reason: 'retention' | 'erasure'): Promise<void> {
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

  private checkChanges(
    right: DsrRight,
    changes: Record<string, string> | undefined,
    problems: FieldProblem[],
  ): Record<string, string> | null {
    if (right !== 'rectification') {
      if (changes !== undefined) problems.push({ field: 'changes', message: 'is only for rectification requests' });
      return null;
    }
    if (!changes || Object.keys(changes).length === 0) {
      problems.push({ field: 'changes', message: 'list the corrected values (column → value) for a rectification' });
      return null;
    }
    for (const [k, v] of Object.entries(changes)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(k))
        problems.push({ field: `changes.${k}`, message: 'is not a column name' });
      if (typeof v !== 'string' || v.length > 1000)
        problems.push({ field: `changes.${k}`, message: 'must be text of at most 1000 characters' });
    }
    return changes;
  }

  private async visible(ability: AppAbility, id: string): Promise<DsrRequest> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findRequest(id) : null;
    if (!row || !ability.can('read', asSubject('DsrRequest', row))) throw new NotFoundError('dsr_request', id);
    return row;
  }

  private assertIdentityReader(ability: AppAbility, row: DsrRequest): void {
    if (!ability.can('read', asSubject('DsrRequest', row), 'subject'))
      throw new ForbiddenError('Only the privacy officer may open a subject’s data.', 'dsr.identity_forbidden');
  }

  /** A request the actor may execute: verified (or in progress) and not closed. */
  private async executable(actor: UserActor, id: string): Promise<DsrRequest> {
    const ability = abilityFor(actor);
    const row = await this.visible(ability, id);
    if (!ability.can('update', asSubject('DsrRequest', row))) throw new ForbiddenError();
    if (row.status === 'received')
      throw new RuleViolationError(
        'dsr.identity_unverified',
        `Verify the identity of ${row.reference}'s requester before executing it.`,
      );
    if (!isOpen(row.status as DsrStatus))
      throw new RuleViolationError('dsr.closed', `${row.reference} is ${row.status}.`);
    return row;
  }

  private async assertNoHold(row: DsrRequest, by: string): Promise<void> {
    const holds = (await this.repo.holdsOf(row.id)).filter((h: DsrLegalHold) => !h.releasedAt);
    if (!holds.length) return;
    await this.trail.record({
      actor: by,
      action: 'dsr.erasure_blocked',
      subjectType: 'DsrRequest',
      subjectId: row.id,
      data: { reference: row.reference, holds: holds.map((h) => ({ id: h.id, reason: h.reason })) },
    });
    throw new RuleViolationError(
      'dsr.legal_hold',
      `Erasure is blocked by a legal hold: ${holds.map((h) => h.reason).join('; ')}.`,
    );
  }

  /** A change under the row lock: the actor must be allowed to update the request. */
  private async change(
    actor: UserActor,
    id: string,
    apply: (row: DsrRequest, m: EntityManager) => Promise<void>,
  ): Promise<void> {
    const ability = abilityFor(actor);
    await this.visible(ability, id);
    await this.ds.transaction(async (m) => {
      const row = (await this.repo.lockRequest(id, m))!;
      if (!ability.can('update', asSubject('DsrRequest', row))) throw new ForbiddenError();
      await apply(row, m);
    });
  }

  private move(row: DsrRequest, to: DsrStatus): void {
    if (!canMove(row.status as DsrStatus, to))
      throw new RuleViolationError(
        'dsr.bad_transition',
        `${row.reference} is ${row.status.replace('_', ' ')}; it cannot become ${to.replace('_', ' ')}.`,
      );
  }

  private async failed(row: DsrRequest, by: string, action: string, failures: string[]): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.repo.updateRequest(row.id, { lastError: failures.join('; ') }, m);
      await this.trail.append(
        {
          actor: by,
          action,
          subjectType: 'DsrRequest',
          subjectId: row.id,
          data: { reference: row.reference, failures },
        },
        m,
      );
    });
  }

  /**
   * The response view. With `unreadableRows` (lists), identity made with a key this instance does not hold
   * leaves the row without it and marked `unreadable` (naming the key); otherwise that answers 503.
   */
  private view(
    ability: AppAbility,
    row: DsrRequest,
    actions: DsrAction[],
    holds: DsrLegalHold[],
    now: Date,
    options: { unreadableRows?: boolean } = {},
  ): DsrRequestView {
    const view: DsrRequestView = {
      id: row.id,
      reference: row.reference,
      right: row.right as DsrRight,
      ground: (row.ground as DsrGround | null) ?? null,
      section: RIGHT_SECTION[row.right as DsrRight],
      channel: row.channel,
      status: row.status as DsrStatus,
      receivedAt: row.receivedAt.toISOString(),
      isRepresentative: row.isRepresentative,
      isDrill: row.isDrill,
      clocks: clocks(clockInput(row), now),
      verifiedAt: row.verifiedAt?.toISOString() ?? null,
      separatedAt: row.separatedAt?.toISOString() ?? null,
      verificationMethod: row.verificationMethod,
      rejectionReason: row.rejectionReason,
      closingNote: row.closingNote,
      closedAt: row.closedAt?.toISOString() ?? null,
      lastError: row.lastError,
      erasureScheduledFor: row.erasureScheduledFor?.toISOString() ?? null,
      erasedAt: row.erasedAt?.toISOString() ?? null,
      backupsExpireAt: row.backupsExpireAt?.toISOString() ?? null,
      exportedAt: row.exportedAt?.toISOString() ?? null,
      exportAvailable: row.exportChunks !== null,
      exportSha256: row.exportSha256,
      exportBytes: row.exportBytes,
      receipt: row.receipt,
      receiptEvidenceId: row.receiptEvidenceId,
      legalHolds: holds.map((h) => ({
        id: h.id,
        reason: h.reason,
        placedAt: h.placedAt.toISOString(),
        releasedAt: h.releasedAt?.toISOString() ?? null,
      })),
      actions: actions.map(actionView),
      version: row.version,
    };
    if (ability.can('read', asSubject('DsrRequest', row), 'subject')) {
      try {
        const details = this.details(row);
        const verificationReference = row.verificationReferenceEnc
          ? this.keys.decryptText(row.verificationReferenceEnc, `dsr-verification:${row.id}`)
          : null;
        Object.assign(view, {
          subject: details.subject,
          requester: details.requester,
          changes: details.changes,
          verificationReference,
        });
      } catch (e) {
        if (!options.unreadableRows || !(e instanceof KeyRingError) || e.code !== 'crypto.key_unknown') throw e;
        view.unreadable = {
          code: e.code,
          keyId: e.keyId!,
          detail: `Encrypted with key ${e.keyId}, which this server does not have.`,
        };
      }
    }
    return view;
  }
}

function clockInput(r: DsrRequest): ClockInput {
  return {
    right: r.right,
    dueAt: r.dueAt,
    statutoryDueAt: r.statutoryDueAt,
    receivedAt: r.receivedAt,
    verifiedAt: r.verifiedAt,
    closedAt: r.closedAt,
    separatedAt: r.separatedAt,
  };
}

function actionView(a: DsrAction): DsrActionView {
  return {
    id: a.id,
    systemKey: a.systemKey,
    kind: a.kind,
    status: a.status,
    summary: a.summary,
    error: a.error,
    attempts: a.attempts,
    checklist: a.checklist,
    outcomeNote: a.outcomeNote,
    finishedAt: a.finishedAt?.toISOString() ?? null,
  };
}

function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
