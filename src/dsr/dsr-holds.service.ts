import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { actorRef, type UserActor } from '../authz/actor';
import { NotFoundError, RuleViolationError } from '../common/errors/app-error';
import { isOpen, type DsrStatus } from './domain/dsr-model';
import { DsrAccess } from './dsr-access';
import type { DsrRequest } from './dsr-request.entity';
import type { DsrLegalHold } from './dsr-support.entity';
import { DsrRepository } from './dsr.repository';
import type { DsrRequestView, LegalHoldDto } from './dto/dsr.dto';

/** Legal holds: while one is active on a request, nothing erases the subject (scheduling refuses, runs stop). */
@Injectable()
export class DsrHoldsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DsrRepository,
    private readonly trail: AuditTrailService,
    private readonly access: DsrAccess,
  ) {}

  async placeHold(actor: UserActor, id: string, dto: LegalHoldDto): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
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
    return this.access.get(actor, id);
  }

  async releaseHold(actor: UserActor, id: string, holdId: string): Promise<DsrRequestView> {
    await this.access.change(actor, id, async (row, m) => {
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
    return this.access.get(actor, id);
  }

  /** Refuses to schedule erasure while a hold is active; the refusal is on the audit trail. */
  async assertNoHold(row: DsrRequest, by: string): Promise<void> {
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

  /** An active hold stops the run: the reason goes on the request and the audit trail. */
  async blockedByHold(row: DsrRequest, by: string): Promise<boolean> {
    const holds = (await this.repo.holdsOf(row.id)).filter((h) => !h.releasedAt);
    if (!holds.length) return false;
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
    return true;
  }
}
