import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { actorRef, type UserActor } from '../authz/actor';
import { RuleViolationError } from '../common/errors/app-error';
import { DataSystemsService } from './data-systems.service';
import type { UpdatedTable } from './domain/action-summary';
import type { DsrRight } from './domain/dsr-clocks';
import { isOpen, keysOf, updateKindFor, type DsrStatus } from './domain/dsr-model';
import { DsrAccess } from './dsr-access';
import type { DsrAction } from './dsr-action.entity';
import type { DsrRequest } from './dsr-request.entity';
import { errorText } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import type { DsrRequestView } from './dto/dsr.dto';

/**
 * Rectification, restriction, objection (separation) and consent withdrawal: one update through every
 * system whose map allows it, manual tasks for the others; lifting a restriction when a request is rejected;
 * closing a request once its last step is done.
 */
@Injectable()
export class DsrUpdatesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DsrRepository,
    private readonly systems: DataSystemsService,
    private readonly trail: AuditTrailService,
    private readonly access: DsrAccess,
  ) {}

  /** Applies rectification or restriction (objection: separation) through every system whose map allows it; others become tasks. */
  async execute(actor: UserActor, id: string): Promise<DsrRequestView> {
    const row = await this.access.executable(actor, id);
    const kind = updateKindFor(row.right as DsrRight);
    if (!kind)
      throw new RuleViolationError(
        'dsr.wrong_right',
        `${row.reference} is a ${row.right} request: use export or erase.`,
      );
    if (row.status === 'verified') await this.repo.updateRequest(row.id, { status: 'in_progress' });
    const failures = await this.applyUpdate(row, kind);
    if (failures.length) await this.access.failed(row, actorRef(actor), `dsr.${kind}_failed`, failures);
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
    return this.access.get(actor, id);
  }

  /**
   * An objection's separation (PDPA s. 32 para 2): the restriction flag through every connector that has one,
   * a manual task for the others; `separated_at` once every system is done. Failures stay on the request
   * (its statutory clock runs on) and are retried by executing it.
   */
  async separate(row: DsrRequest, by: string): Promise<void> {
    const failures = await this.applyUpdate(row, 'restrict');
    if (failures.length) {
      await this.access.failed(row, by, 'dsr.separation_failed', failures);
      return;
    }
    await this.markSeparatedIfDone(row.id, by);
  }

  /** Sets `separated_at` on an objection once every restriction step (automated or manual) is done. */
  async markSeparatedIfDone(requestId: string, by: string): Promise<void> {
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

  /** Closes an erasure or update request once its last manual task is done. */
  async closeIfDone(requestId: string, by: string): Promise<void> {
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

  /** Runs one update (rectify / restrict) through every active system; returns the failures. */
  private async applyUpdate(row: DsrRequest, kind: 'rectify' | 'restrict'): Promise<string[]> {
    const details = this.access.details(row);
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
            await this.access.manualTask(row, s, `manual-${kind}`);
          } else {
            await this.finish(action, { tables: result });
          }
        } catch (e) {
          failures.push(`${s.system.key}: ${errorText(e)}`);
          await this.finish(action, { error: e });
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
  async liftRestriction(row: DsrRequest, by: string): Promise<void> {
    const steps = (await this.repo.actionsOf(row.id)).filter(
      (a) => (a.kind === 'restrict' && a.status === 'done') || a.kind === 'manual-restrict',
    );
    if (steps.length === 0) return;
    const keys = keysOf(this.access.details(row).subject);
    const systems = await this.systems.executable();
    const failures: string[] = [];
    try {
      for (const step of steps) {
        const s = systems.find((x) => x.system.key === step.systemKey);
        if (!s) continue;
        if (step.kind === 'manual-restrict' || !s.connector) {
          await this.access.manualTask(row, s, 'manual-unrestrict');
          continue;
        }
        const action = await this.repo.ensureAction({ requestId: row.id, systemKey: s.system.key, kind: 'unrestrict' });
        if (action.status === 'done') continue;
        try {
          const result = await s.connector.update(keys, { kind: 'unrestrict' });
          await this.finish(action, { tables: result ?? [] });
        } catch (e) {
          failures.push(`${s.system.key}: ${errorText(e)}`);
          await this.finish(action, { error: e });
        }
      }
    } finally {
      await this.systems.closeAll(systems);
    }
    if (failures.length) await this.access.failed(row, by, 'dsr.unrestrict_failed', failures);
    else
      await this.trail.record({
        actor: by,
        action: 'dsr.restriction_lifted',
        subjectType: 'DsrRequest',
        subjectId: row.id,
        data: { reference: row.reference, systems: steps.map((a) => a.systemKey) },
      });
  }

  /** Records how one system's step ended: done with the tables it touched, or failed with the error. */
  private async finish(action: DsrAction, outcome: { tables: UpdatedTable[] } | { error: unknown }): Promise<void> {
    const ended = { attempts: action.attempts + 1, finishedAt: new Date() };
    await this.repo.updateAction(
      action.id,
      'error' in outcome
        ? { ...ended, status: 'failed', error: errorText(outcome.error) }
        : { ...ended, status: 'done', error: null, summary: { tables: outcome.tables } },
    );
  }
}
