import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import { ForbiddenError, RuleViolationError, ValidationError, type FieldProblem } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import { deadlines, ROPA_RECORDED_REFUSALS, separationDueAt, type DsrRight } from './domain/dsr-clocks';
import { checkGround, separationOwedFrom, type DsrGround } from './domain/dsr-grounds';
import { checkChanges, checkSubject, formatReference, type ProtectedDetails } from './domain/dsr-model';
import { DsrAccess } from './dsr-access';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';
import type { DsrRequest } from './dsr-request.entity';
import { DsrUpdatesService } from './dsr-updates.service';
import { DsrRepository } from './dsr.repository';
import type {
  CompleteDsrDto,
  CreateDsrRequestDto,
  DsrQueryDto,
  DsrRequestView,
  RejectDsrDto,
  VerifyIdentityDto,
} from './dto/dsr.dto';

/**
 * Data subject requests under PDPA: intake with the subject's identity encrypted, identity verification
 * before anything executes, refusal (recorded in the ROPA) and closing, and the register's list and pages.
 */
@Injectable()
export class DsrRequestsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly repo: DsrRepository,
    private readonly trail: AuditTrailService,
    private readonly access: DsrAccess,
    private readonly updates: DsrUpdatesService,
  ) {}

  async create(actor: UserActor, dto: CreateDsrRequestDto, now = new Date()): Promise<DsrRequestView> {
    if (!abilityFor(actor).can('create', 'DsrRequest')) throw new ForbiddenError();
    const problems: FieldProblem[] = [];
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : now;
    if (receivedAt.getTime() > now.getTime() + 60_000)
      problems.push({ field: 'receivedAt', message: 'is in the future' });
    const subject = checkSubject(dto.subject, problems);
    const changes = checkChanges(dto.right, dto.changes, problems);
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
      await this.updates.separate(row, actorRef(actor));
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
    return {
      items: rows.map((r) => this.access.view(ability, r, [], [], now, { unreadableRows: true })),
      total,
      ...page,
    };
  }

  /** Requests (drills excluded) received since `since` that the actor may read, per month in the zone `tz`. */
  receivedByMonth(actor: UserActor, since: Date, tz: string): Promise<{ month: string; requests: number }[]> {
    return this.repo.receivedByMonth(abilityFor(actor), since, tz);
  }

  get(actor: UserActor, id: string, now = new Date()): Promise<DsrRequestView> {
    return this.access.get(actor, id, now);
  }

  /** Records the verification; an objection's separation is owed from now (direct marketing: already applied). */
  async verifyIdentity(actor: UserActor, id: string, dto: VerifyIdentityDto): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
      this.access.move(row, 'verified');
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
      await this.updates.separate(row, actorRef(actor));
      await this.updates.closeIfDone(row.id, actorRef(actor));
    }
    return this.get(actor, id);
  }

  /**
   * Refuses the request; refusals of access, portability, objection and rectification go to the ROPA (s. 39).
   * A separation or restriction the request applied (an objection flagged on arrival) is lifted.
   */
  async reject(actor: UserActor, id: string, dto: RejectDsrDto): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
      this.access.move(row, 'rejected');
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
    await this.updates.liftRestriction((await this.repo.findRequest(id))!, actorRef(actor));
    return this.get(actor, id);
  }

  /** Closes an access/portability request once its package exists, or any request whose steps are all done. */
  async complete(actor: UserActor, id: string, dto: CompleteDsrDto): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
      this.access.move(row, 'completed');
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
}
