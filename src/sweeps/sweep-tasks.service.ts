import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError, ValidationError } from '../common/errors/app-error';
import { formatDate, localDate } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { EvidenceService } from '../evidence/evidence.service';
import { CompleteTaskDto, SweepTaskView, sweepTaskView } from './dto/sweep.dto';
import { SweepTask } from './sweep-task.entity';
import { periodOf } from './sweep-weeks';
import { SweepsRepository } from './sweeps.repository';

/** Completing a sweep task: with evidence linked to its control, an attestation, or an exception. */
@Injectable()
export class SweepTasksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly evidence: EvidenceService,
    private readonly evidenceQueries: EvidenceQueriesService,
    private readonly trail: AuditTrailService,
  ) {}

  /** What the upload page needs to file evidence for a task the actor may complete (404/403/409 otherwise). */
  async taskForUpload(
    actor: UserActor,
    id: string,
    now = new Date(),
  ): Promise<{ controlKey: string; today: string; periodStart: string; periodEnd: string }> {
    const ability = abilityFor(actor);
    const task = await readableOr404(ability, 'SweepTask', await this.repo.findTask(id), { entity: 'sweep_task', id });
    if (!ability.can('update', asSubject('SweepTask', task)))
      throw new ForbiddenError('You may not complete this task.', 'sweep_task.forbidden');
    if (task.status !== 'open') throw new ConflictError('sweep_task.done', `This task is already ${task.status}.`);
    const sweep = (await this.repo.findById(task.sweepId))!;
    return {
      controlKey: task.controlKey,
      today: formatDate(localDate(now, this.config.timeZone)),
      ...periodOf(sweep.week),
    };
  }

  /** Completes a task with evidence already linked to its control, an attestation, or an exception. */
  async completeTask(actor: UserActor, id: string, dto: CompleteTaskDto, now = new Date()): Promise<SweepTaskView> {
    return this.ds.transaction(async (m) => {
      const ability = abilityFor(actor);
      const task = await readableOr404(ability, 'SweepTask', await this.repo.findTaskForUpdate(id, m), {
        entity: 'sweep_task',
        id,
      });
      if (!ability.can('update', asSubject('SweepTask', task)))
        throw new ForbiddenError('You may not complete this task.', 'sweep_task.forbidden');
      if (task.status !== 'open') throw new ConflictError('sweep_task.done', `This task is already ${task.status}.`);
      const sweep = (await this.repo.findById(task.sweepId, m))!;
      if (sweep.status === 'closed') throw new ConflictError('sweep.closed', `The sweep ${sweep.week} is closed.`);
      const values = await this.outcome(actor, task, dto, periodOf(sweep.week), m);
      await this.repo.updateTask(task.id, { ...values, completedAt: now, completedBy: actor.id }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: `sweep_task.${values.status as 'completed' | 'attested' | 'exception'}`,
          subjectType: 'SweepTask',
          subjectId: task.id,
          data: { control: task.controlKey, evidenceIds: values.evidenceIds ?? [] },
        },
        m,
      );
      return sweepTaskView((await this.repo.findTask(task.id, m))!);
    });
  }

  /** The task's new values for the outcome given (400 naming the field when it lacks what it needs). */
  private async outcome(
    actor: UserActor,
    task: SweepTask,
    dto: CompleteTaskDto,
    period: { periodStart: string; periodEnd: string },
    m: EntityManager,
  ): Promise<Partial<SweepTask>> {
    switch (dto.outcome) {
      case 'evidence': {
        const ids = dto.evidenceIds ?? [];
        if (ids.length === 0)
          throw new ValidationError([
            { field: 'evidenceIds', message: 'must list the evidence attached to this control' },
          ]);
        const linked = await this.evidenceQueries.linkedTo(task.controlId, ids);
        const missing = ids.filter((e) => !linked.includes(e));
        if (missing.length)
          throw new ValidationError([
            { field: 'evidenceIds', message: `not evidence of ${task.controlKey}: ${missing.join(', ')}` },
          ]);
        return { status: 'completed', evidenceIds: ids, note: dto.note ?? null };
      }
      case 'attestation': {
        if (!dto.statement) throw new ValidationError([{ field: 'statement', message: 'is required to attest' }]);
        const { id: evidenceId } = await this.evidence.recordAttestation(
          { actor, controlIds: [task.controlId], statement: dto.statement, checklist: dto.checklist, ...period },
          m,
        );
        // The statement is the attestation's reason: kept on the task (shown on the control page) unless a note is given.
        return { status: 'attested', evidenceIds: [evidenceId], note: dto.note ?? dto.statement };
      }
      case 'exception': {
        if (!dto.reason) throw new ValidationError([{ field: 'reason', message: 'is required to raise an exception' }]);
        return { status: 'exception', note: dto.reason };
      }
    }
  }
}
