import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import { DrillsService } from '../dsr/drills.service';
import { DsrRequestsService } from '../dsr/dsr-requests.service';
import { DsrTasksService } from '../dsr/dsr-tasks.service';
import { TaskQueryDto } from '../dsr/dto/dsr.dto';
import { DsrPageQueryDto } from './dto/dsr-forms.dto';
import { DRILL_CSV_COLUMNS, DSR_CSV_COLUMNS, DSR_TASK_CSV_COLUMNS, taskRow } from './dsr-csv';
import { drillRow } from './dsr.page';
import { allRows, sendCsv } from './list-csv';

/**
 * The DSR pages' CSV downloads: the queue (with its filters, never who a request is about), the drill history
 * and the manual tasks, every row the person may read, each through the service its page uses.
 */
@ApiExcludeController()
@Controller('dsr')
export class DsrCsvController {
  constructor(
    private readonly requests: DsrRequestsService,
    private readonly dsrTasks: DsrTasksService,
    private readonly drills: DrillsService,
  ) {}

  /** The filtered queue, every page of it (without identity: see DSR_CSV_COLUMNS). */
  @Get('export.csv')
  @Policy('read', 'DsrRequest')
  async queueCsv(@CurrentActor() actor: UserActor, @Query() query: DsrPageQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.requests.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'dsr', DSR_CSV_COLUMNS, rows);
  }

  @Get('drills/export.csv')
  @Policy('read', 'DsrDrill')
  async drillsCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.drills.listFor(actor, page));
    await sendCsv(reply, 'dsr-drills', DRILL_CSV_COLUMNS, rows.map(drillRow));
  }

  /** Open tasks unless `?open=false`, as on the page. */
  @Get('tasks/export.csv')
  @Policy('read', 'DsrTask')
  async tasksCsv(@CurrentActor() actor: UserActor, @Query() query: TaskQueryDto, @Res() reply: FastifyReply) {
    const open = query.open ?? true;
    const rows = await allRows((page) => this.dsrTasks.listTasks(actor, { ...page, open }));
    await sendCsv(reply, 'dsr-tasks', DSR_TASK_CSV_COLUMNS, rows.map(taskRow));
  }
}
