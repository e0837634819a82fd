import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { KeyRingError } from '../common/crypto/key-ring';
import { ForbiddenError, RuleViolationError } from '../common/errors/app-error';
import type { ExecutableSystem } from './data-systems.service';
import { canMove, isOpen, type DsrStatus, type ProtectedDetails } from './domain/dsr-model';
import type { DsrAction } from './dsr-action.entity';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';
import type { DsrRequest } from './dsr-request.entity';
import type { DsrLegalHold } from './dsr-support.entity';
import { requestView } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import type { DsrRequestView } from './dto/dsr.dto';
import type { AuditAction } from '../audit-trail/domain/audit-actions';

/**
 * What every DSR use case shares: who may see, change or execute a request, the decrypted identity, the
 * request's answer, the failure record and manual tasks. One place, so that the rules cannot drift apart
 * between intake, export, erasure and tasks.
 */
@Injectable()
export class DsrAccess {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly repo: DsrRepository,
    private readonly trail: AuditTrailService,
  ) {}

  /** The decrypted identity part of a request (callers must have checked who may see it). */
  details(row: DsrRequest): ProtectedDetails {
    return this.keys.decryptJson<ProtectedDetails>(row.protectedEnc, `dsr:${row.id}`);
  }

  /** The request's answer for `actor` (identity only for who may read it). */
  async get(actor: UserActor, id: string, now = new Date()): Promise<DsrRequestView> {
    const ability = abilityFor(actor);
    const row = await this.readable(ability, id);
    const [actions, holds] = await Promise.all([this.repo.actionsOf(id), this.repo.holdsOf(id)]);
    return this.view(ability, row, actions, holds, now);
  }

  async readable(ability: AppAbility, id: string): Promise<DsrRequest> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findRequest(id) : null;
    return readableOr404(ability, 'DsrRequest', row, { entity: 'dsr_request', id });
  }

  assertIdentityReader(ability: AppAbility, row: DsrRequest): void {
    if (!ability.can('read', asSubject('DsrRequest', row), 'subject'))
      throw new ForbiddenError('Only the privacy officer may open a subject’s data.', 'dsr.identity_forbidden');
  }

  /** A request the actor may execute: verified (or in progress) and not closed. */
  async executable(actor: UserActor, id: string): Promise<DsrRequest> {
    const ability = abilityFor(actor);
    const row = await this.readable(ability, id);
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

  /** A change under the row lock: the actor must be allowed to update the request. */
  async change(
    actor: UserActor,
    id: string,
    apply: (row: DsrRequest, m: EntityManager) => Promise<void>,
  ): Promise<void> {
    const ability = abilityFor(actor);
    await this.readable(ability, id);
    await this.ds.transaction(async (m) => {
      const row = (await this.repo.lockRequest(id, m))!;
      if (!ability.can('update', asSubject('DsrRequest', row))) throw new ForbiddenError();
      await apply(row, m);
    });
  }

  move(row: DsrRequest, to: DsrStatus): void {
    if (!canMove(row.status as DsrStatus, to))
      throw new RuleViolationError(
        'dsr.bad_transition',
        `${row.reference} is ${row.status.replace('_', ' ')}; it cannot become ${to.replace('_', ' ')}.`,
      );
  }

  async failed(row: DsrRequest, by: string, action: AuditAction, failures: string[]): Promise<void> {
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

  async manualTask(row: DsrRequest, s: ExecutableSystem, kind: string): Promise<void> {
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

  /**
   * The response view. With `unreadableRows` (lists), identity made with a key this instance does not hold
   * leaves the row without it and marked `unreadable` (naming the key); otherwise that answers 503.
   */
  view(
    ability: AppAbility,
    row: DsrRequest,
    actions: DsrAction[],
    holds: DsrLegalHold[],
    now: Date,
    options: { unreadableRows?: boolean } = {},
  ): DsrRequestView {
    const view = requestView(row, actions, holds, now);
    if (!ability.can('read', asSubject('DsrRequest', row), 'subject')) return view;
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
    return view;
  }
}
