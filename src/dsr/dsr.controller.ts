import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import { ValidationError } from '../common/errors/app-error';
import { PageQueryDto, type Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import { DataSystemsService } from './data-systems.service';
import type { DrillReport } from './domain/drill-report';
import { DrillsService } from './drills.service';
import { DsrErasureService } from './dsr-erasure.service';
import { DsrExportService } from './dsr-export.service';
import { DsrHoldsService } from './dsr-holds.service';
import { DsrRequestsService } from './dsr-requests.service';
import { DsrTasksService } from './dsr-tasks.service';
import { DsrUpdatesService } from './dsr-updates.service';
import {
  CompleteDsrDto,
  CompleteTaskDto,
  CreateDsrRequestDto,
  DsrQueryDto,
  EraseDsrDto,
  ExportTokenParams,
  HoldParams,
  LegalHoldDto,
  RejectDsrDto,
  RequestParams,
  SystemKeyParams,
  TaskQueryDto,
  VerifyIdentityDto,
  type DataSystemView,
  type DrillView,
  type DsrActionView,
  type DsrRequestView,
  type ExportLinkView,
} from './dto/dsr.dto';

@ApiTags('dsr')
@Controller('api/dsr')
export class DsrController {
  constructor(
    private readonly requests: DsrRequestsService,
    private readonly updates: DsrUpdatesService,
    private readonly exports: DsrExportService,
    private readonly erasure: DsrErasureService,
    private readonly holds: DsrHoldsService,
    private readonly dsrTasks: DsrTasksService,
    private readonly systems: DataSystemsService,
    private readonly drills: DrillsService,
  ) {}

  // ---- requests ----------------------------------------------------------------------------------

  @Post('requests')
  @Policy('create', 'DsrRequest')
  @ApiOperation({
    summary:
      'Log a data subject request; the subject’s identity is stored encrypted and only the privacy officer sees it',
  })
  create(@CurrentActor() actor: UserActor, @Body() dto: CreateDsrRequestDto): Promise<DsrRequestView> {
    return this.requests.create(actor, dto);
  }

  @Get('requests')
  @Policy('read', 'DsrRequest')
  @ApiOperation({
    summary: 'The DSR register with both clocks, soonest deadline first; filter by status, right, open, overdue',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: DsrQueryDto): Promise<Page<DsrRequestView>> {
    return this.requests.list(actor, query);
  }

  @Get('requests/:id')
  @Policy('read', 'DsrRequest')
  get(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<DsrRequestView> {
    return this.requests.get(actor, p.id);
  }

  @Post('requests/:id/verify-identity')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({ summary: 'Record how the requester’s identity was verified; nothing executes before this' })
  verify(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: VerifyIdentityDto,
  ): Promise<DsrRequestView> {
    return this.requests.verifyIdentity(actor, p.id, dto);
  }

  @Post('requests/:id/export')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({
    summary:
      'Export the subject from every active system into an encrypted ZIP; returns a download link that expires (resumes after a failure)',
  })
  exportRequest(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
  ): Promise<{ request: DsrRequestView; link: ExportLinkView | null }> {
    return this.exports.export(actor, p.id);
  }

  @Post('requests/:id/export-link')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({ summary: 'A new download link for the export package' })
  exportLink(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<ExportLinkView> {
    return this.exports.newExportLink(actor, p.id);
  }

  @Post('requests/:id/erase')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({ summary: 'Schedule erasure after the grace period (graceDays 0: now); blocked by legal holds' })
  erase(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: EraseDsrDto,
  ): Promise<DsrRequestView> {
    return this.erasure.scheduleErasure(actor, p.id, dto);
  }

  @Post('requests/:id/erase/cancel')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  cancelErasure(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<DsrRequestView> {
    return this.erasure.cancelErasure(actor, p.id);
  }

  @Post('requests/:id/erase/resume')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({ summary: 'Run a due erasure again after a failure: done systems are kept, failed ones retried' })
  resumeErasure(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<DsrRequestView> {
    return this.erasure.resumeErasure(actor, p.id);
  }

  @Post('requests/:id/execute')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({
    summary:
      'Rectify or restrict (objection, restriction, consent withdrawal) through the data map; manual tasks where it declares nothing',
  })
  execute(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<DsrRequestView> {
    return this.updates.execute(actor, p.id);
  }

  @Post('requests/:id/reject')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({
    summary:
      'Refuse the request with a reason (recorded in the ROPA for access, portability, objection, rectification)',
  })
  reject(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: RejectDsrDto,
  ): Promise<DsrRequestView> {
    return this.requests.reject(actor, p.id, dto);
  }

  @Post('requests/:id/complete')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  complete(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: CompleteDsrDto,
  ): Promise<DsrRequestView> {
    return this.requests.complete(actor, p.id, dto);
  }

  @Post('requests/:id/holds')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  @ApiOperation({ summary: 'Place a legal hold: erasure does not run while it is active' })
  hold(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: LegalHoldDto,
  ): Promise<DsrRequestView> {
    return this.holds.placeHold(actor, p.id, dto);
  }

  @Post('requests/:id/holds/:holdId/release')
  @HttpCode(200)
  @Policy('update', 'DsrRequest')
  release(@CurrentActor() actor: UserActor, @Param() p: HoldParams): Promise<DsrRequestView> {
    return this.holds.releaseHold(actor, p.id, p.holdId);
  }

  @Get('exports/:token')
  @Policy('read', 'DsrRequest')
  @ApiOperation({
    summary: 'Download an export package (privacy officer only, before the link expires); recorded in the audit trail',
  })
  @ApiProduces('application/zip')
  async download(
    @CurrentActor() actor: UserActor,
    @Param() p: ExportTokenParams,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.exports.download(actor, p.token);
    await reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(file.stream);
  }

  // ---- manual tasks ------------------------------------------------------------------------------

  @Get('tasks')
  @Policy('read', 'DsrTask')
  @ApiOperation({ summary: 'Manual DSR tasks assigned to you (or your department): systems without a connector' })
  tasks(@CurrentActor() actor: UserActor, @Query() query: TaskQueryDto) {
    return this.dsrTasks.listTasks(actor, query);
  }

  @Post('tasks/:id/complete')
  @HttpCode(200)
  @Policy('update', 'DsrTask')
  completeTask(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestParams,
    @Body() dto: CompleteTaskDto,
  ): Promise<DsrActionView> {
    return this.dsrTasks.completeTask(actor, p.id, dto);
  }

  // ---- data systems ------------------------------------------------------------------------------

  @Get('systems')
  @Policy('read', 'DataSystem')
  @ApiOperation({ summary: 'Registered data systems and their maps (secrets never shown)' })
  listSystems(): Promise<DataSystemView[]> {
    return this.systems.list();
  }

  @Get('systems/export')
  @Policy('read', 'DataSystem')
  @ApiOperation({ summary: 'Every data system as YAML documents (secrets left out)' })
  @ApiProduces('application/yaml')
  async exportSystems(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', 'application/yaml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="data-systems.yaml"')
      .send(await this.systems.exportYaml());
  }

  @Post('systems')
  @Policy('create', 'DataSystem')
  @ApiOperation({
    summary: 'Register a data system (JSON definition); every table and column is checked against the live system',
  })
  register(@CurrentActor() actor: UserActor, @Body() body: unknown): Promise<DataSystemView> {
    return this.systems.register(actor, body);
  }

  @Post('systems/import')
  @HttpCode(200)
  @Policy('create', 'DataSystem')
  @ApiOperation({
    summary: 'Register or replace systems from YAML documents (Content-Type: application/yaml), all or nothing',
  })
  @ApiConsumes('application/yaml')
  @ApiBody({ schema: { type: 'string' } })
  importSystems(@CurrentActor() actor: UserActor, @Body() yaml: unknown): Promise<DataSystemView[]> {
    if (typeof yaml !== 'string')
      throw new ValidationError([{ field: 'body', message: 'must be YAML sent with Content-Type: application/yaml' }]);
    return this.systems.importYaml(actor, yaml);
  }

  @Get('systems/:key')
  @Policy('read', 'DataSystem')
  getSystem(@Param() p: SystemKeyParams): Promise<DataSystemView> {
    return this.systems.get(p.key);
  }

  @Put('systems/:key')
  @Policy('update', 'DataSystem')
  @ApiOperation({ summary: 'Replace a system’s definition; omitted secrets keep their stored values' })
  replace(
    @CurrentActor() actor: UserActor,
    @Param() p: SystemKeyParams,
    @Body() body: unknown,
  ): Promise<DataSystemView> {
    const key = typeof body === 'object' && body !== null ? (body as { key?: unknown }).key : undefined;
    if (key !== undefined && key !== p.key)
      throw new ValidationError([{ field: 'key', message: `must be ${p.key} (the key in the URL)` }]);
    return this.systems.register(actor, { ...(body as object), key: p.key });
  }

  @Post('systems/:key/deactivate')
  @HttpCode(200)
  @Policy('update', 'DataSystem')
  deactivate(@CurrentActor() actor: UserActor, @Param() p: SystemKeyParams): Promise<DataSystemView> {
    return this.systems.setActive(actor, p.key, false);
  }

  @Post('systems/:key/activate')
  @HttpCode(200)
  @Policy('update', 'DataSystem')
  activate(@CurrentActor() actor: UserActor, @Param() p: SystemKeyParams): Promise<DataSystemView> {
    return this.systems.setActive(actor, p.key, true);
  }

  // ---- drills ------------------------------------------------------------------------------------

  @Get('drills')
  @Policy('read', 'DsrDrill')
  drillsList(@CurrentActor() actor: UserActor, @Query() query: PageQueryDto): Promise<Page<DrillView>> {
    return this.drills.listFor(actor, query);
  }

  @Post('drills')
  @HttpCode(200)
  @Policy('create', 'DsrDrill')
  @ApiOperation({
    summary: 'Run a drill now: seed a synthetic subject, export, erase, check residue; the report becomes evidence',
  })
  runDrill(@CurrentActor() actor: UserActor): Promise<DrillReport> {
    return this.drills.run(actor, 'api');
  }

  @Get('drills/:id')
  @Policy('read', 'DsrDrill')
  drill(@CurrentActor() actor: UserActor, @Param() p: RequestParams): Promise<DrillView> {
    return this.drills.get(actor, p.id);
  }
}
