import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { declaredLength, uploadParts } from '../evidence/upload-parts';
import { EvidenceUploadService } from '../evidence/evidence-upload.service';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { TaskIdParams, TaskListQueryDto } from '../sweeps/dto/sweep.dto';
import { UsersService } from '../identity/users.service';
import { SweepPostureService } from '../sweeps/sweep-posture.service';
import { SweepTasksService } from '../sweeps/sweep-tasks.service';
import { SweepsService } from '../sweeps/sweeps.service';
import { TaskOutcomeFormDto } from './dto/sweep-forms.dto';
import { mySweepPage, sweepDashboardPage, sweepTasksPage } from './sweep.page';
import { withFields } from './upload-form';
import { NotFoundError } from '../common/errors/app-error';

/** "My sweep" for control owners, and the sweep dashboard with posture for compliance managers. */
@ApiExcludeController()
@Controller()
export class SweepPagesController {
  constructor(
    private readonly sweeps: SweepsService,
    private readonly sweepTasks: SweepTasksService,
    private readonly posture: SweepPostureService,
    private readonly evidence: EvidenceUploadService,
    private readonly users: UsersService,
  ) {}

  @Get('sweep')
  @Policy('read', 'SweepTask')
  @Render('my-sweep')
  async mySweep(@CurrentActor() actor: UserActor) {
    return mySweepPage(await this.sweeps.mySweep(actor));
  }

  @Post('sweep/tasks/:id/outcome')
  @Policy('update', 'SweepTask')
  async outcome(
    @CurrentActor() actor: UserActor,
    @Param() p: TaskIdParams,
    @Body() form: TaskOutcomeFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.sweepTasks.completeTask(
      actor,
      p.id,
      form.outcome === 'attestation'
        ? { outcome: 'attestation', statement: form.text }
        : { outcome: 'exception', reason: form.text },
    );
    await reply.redirect(`/sweep?done=${form.outcome === 'attestation' ? 'task.attested' : 'task.exception'}`, 303);
  }

  /** Upload a file as evidence of the task's control and complete the task with it, in one step. */
  @Post('sweep/tasks/:id/evidence')
  @Policy('update', 'SweepTask')
  async uploadEvidence(
    @CurrentActor() actor: UserActor,
    @Param() p: TaskIdParams,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const task = await this.sweepTasks.taskForUpload(actor, p.id);
    const evidence = await this.evidence.upload(
      actor,
      withFields(uploadParts(request), {
        controls: task.controlKey,
        evidenceDate: task.today,
        periodStart: task.periodStart,
        periodEnd: task.periodEnd,
      }),
      declaredLength(request),
    );
    await this.sweepTasks.completeTask(actor, p.id, { outcome: 'evidence', evidenceIds: [evidence.id] });
    await reply.redirect('/sweep?done=evidence.uploaded', 303);
  }

  @Get('sweeps')
  @Policy('read', 'Posture')
  @Render('sweeps')
  async dashboard(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility) {
    // No sweep yet, or none the actor may read, shows as none; any other failure is an error, not "no sweep".
    const sweep = ability.can('read', 'Sweep')
      ? await this.sweeps.current(actor).catch((e: unknown) => {
          if (e instanceof NotFoundError) return null;
          throw e;
        })
      : null;
    return sweepDashboardPage(sweep, await this.posture.postureFor(actor));
  }

  /** The current sweep's tasks of one owner, overdue ones only with `overdue=1`: the dashboards' drill-down. */
  @Get('sweeps/tasks')
  @Policy('read', 'SweepTask')
  @Render('sweep-tasks')
  async ownerTasks(@CurrentActor() actor: UserActor, @Query() query: TaskListQueryDto) {
    const sweep = await this.sweeps.current(actor);
    const list = await this.sweeps.tasks(actor, sweep.week, { ...query, limit: query.limit ?? 100 });
    // The person is named only through tasks the reader may see: a guessed id names nobody.
    const named = query.owner && list.total > 0 ? await this.users.namesByIds([query.owner]) : null;
    const ownerName = named?.get(query.owner!) ?? null;
    return sweepTasksPage({ sweep, list, filter: query, ownerName });
  }
}
