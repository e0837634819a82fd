import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import { actorRef, type UserActor } from '../authz/actor';
import {
  CompleteTaskDto,
  OpenSweepDto,
  SweepTaskView,
  SweepView,
  TaskIdParams,
  TaskListQueryDto,
  WeekParams,
} from './dto/sweep.dto';
import type { FrameworkPosture } from './domain/posture';
import { SweepLifecycleService } from './sweep-lifecycle.service';
import { SweepPostureService } from './sweep-posture.service';
import { SweepTasksService } from './sweep-tasks.service';
import { SweepsService } from './sweeps.service';

@ApiTags('sweeps')
@Controller('api')
export class SweepsController {
  constructor(
    private readonly sweeps: SweepsService,
    private readonly lifecycle: SweepLifecycleService,
    private readonly sweepTasks: SweepTasksService,
    private readonly sweepPosture: SweepPostureService,
  ) {}

  @Get('sweeps/current')
  @Policy('read', 'Sweep')
  @ApiOperation({ summary: "This week's sweep (else the latest), with progress" })
  @ApiOkResponse({ type: SweepView })
  current(@CurrentActor() actor: UserActor): Promise<SweepView> {
    return this.sweeps.current(actor);
  }

  @Post('sweeps')
  @Policy('create', 'Sweep')
  @HttpCode(200)
  @ApiOperation({
    summary: "Open a week's sweep now (the server opens it on SWEEP_CRON); idempotent: { week, created, tasks }",
  })
  async open(
    @CurrentActor() actor: UserActor,
    @Body() dto: OpenSweepDto,
  ): Promise<{ week: string; created: boolean; tasks: number }> {
    const r = await this.lifecycle.openWeek(dto.week ?? this.sweeps.weekOf(new Date()), actorRef(actor));
    return { week: r.week, created: r.created, tasks: r.tasks };
  }

  @Post('sweeps/:week/close')
  @Policy('update', 'Sweep')
  @HttpCode(200)
  @ApiOperation({ summary: "Close a week's sweep and store its summary as evidence; idempotent" })
  close(@CurrentActor() actor: UserActor, @Param() p: WeekParams) {
    return this.lifecycle.closeWeek(p.week, actorRef(actor));
  }

  @Get('sweeps/:week')
  @Policy('read', 'Sweep')
  @ApiOkResponse({ type: SweepView })
  byWeek(@CurrentActor() actor: UserActor, @Param() p: WeekParams): Promise<SweepView> {
    return this.sweeps.byWeek(actor, p.week);
  }

  @Get('sweeps/:week/tasks')
  @Policy('read', 'SweepTask')
  @ApiOperation({ summary: 'Tasks of a sweep you may see, paged; mine=1 for your own' })
  tasks(
    @CurrentActor() actor: UserActor,
    @Param() p: WeekParams,
    @Query() query: TaskListQueryDto,
  ): Promise<Page<SweepTaskView>> {
    return this.sweeps.tasks(actor, p.week, query);
  }

  @Post('sweep-tasks/:id/complete')
  @Policy('update', 'SweepTask')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a task: with evidence linked to its control, by attesting, or with an exception and its reason',
  })
  @ApiOkResponse({ type: SweepTaskView })
  complete(
    @CurrentActor() actor: UserActor,
    @Param() p: TaskIdParams,
    @Body() dto: CompleteTaskDto,
  ): Promise<SweepTaskView> {
    return this.sweepTasks.completeTask(actor, p.id, dto);
  }

  @Get('posture')
  @Policy('read', 'Posture')
  @ApiOperation({
    summary: 'Per framework: share of requirements whose controls all have fresh evidence, and what needs attention',
  })
  async posture(@CurrentActor() actor: UserActor): Promise<{ items: FrameworkPosture[] }> {
    return { items: await this.sweepPosture.postureFor(actor) };
  }
}
