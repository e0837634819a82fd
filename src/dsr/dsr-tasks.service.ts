import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ForbiddenError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import { DsrUpdatesService } from './dsr-updates.service';
import { actionView } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import type { CompleteTaskDto, DsrActionView, TaskQueryDto } from './dto/dsr.dto';

/**
 * Manual tasks: the steps of systems no connector reaches, for their owners. Completing the last one
 * separates an objection or closes the request, as an automated step would.
 */
@Injectable()
export class DsrTasksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DsrRepository,
    private readonly trail: AuditTrailService,
    private readonly updates: DsrUpdatesService,
  ) {}

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
    // Only manual steps are tasks: an automated step's id is no task's id.
    const found = await this.repo.findAction(actionId);
    const action = await readableOr404(ability, 'DsrTask', found?.kind.startsWith('manual') ? found : null, {
      entity: 'dsr_task',
      id: actionId,
    });
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
    await this.updates.markSeparatedIfDone(action.requestId, actorRef(actor));
    await this.updates.closeIfDone(action.requestId, actorRef(actor));
    return actionView((await this.repo.findAction(action.id))!);
  }
}
