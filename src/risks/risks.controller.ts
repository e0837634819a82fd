import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import {
  CreateRiskDto,
  CreateRiskReviewDto,
  RiskReviewQueryDto,
  RiskReviewView,
  ExportQueryDto,
  HeatmapView,
  ImportResultView,
  RegisterScopeDto,
  RiskParams,
  RiskQueryDto,
  RiskVersionView,
  RiskView,
  TraceabilityItemView,
  TraceabilityQueryDto,
  UpdateRiskDto,
} from './dto/risk.dto';
import { RiskCsvService } from './risk-csv.service';
import { RiskReportsService } from './risk-reports.service';
import { RiskReviewsService } from './risk-reviews.service';
import { RisksService } from './risks.service';

@ApiTags('risks')
@Controller('api/risks')
export class RisksController {
  constructor(
    private readonly risks: RisksService,
    private readonly reports: RiskReportsService,
    private readonly reviewing: RiskReviewsService,
    private readonly csv: RiskCsvService,
  ) {}

  @Get()
  @Policy('read', 'Risk')
  @ApiOperation({
    summary:
      'Risks you may read, paged; filter by register, product, status, level, residual level, owner ("me"), text',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: RiskQueryDto): Promise<Page<RiskView>> {
    return this.risks.list(actor, query);
  }

  @Post()
  @Policy('create', 'Risk')
  @ApiOperation({ summary: 'Add a risk; its levels are computed from controls/risk-matrix.yaml' })
  @ApiOkResponse({ type: RiskView })
  create(@CurrentActor() actor: UserActor, @Body() dto: CreateRiskDto): Promise<RiskView> {
    return this.risks.create(actor, dto);
  }

  @Get('heatmap')
  @Policy('read', 'Risk')
  @ApiOperation({ summary: 'Risk counts per matrix cell, before and after controls' })
  @ApiOkResponse({ type: HeatmapView })
  heatmap(@CurrentActor() actor: UserActor, @Query() query: RegisterScopeDto): Promise<HeatmapView> {
    return this.reports.heatmap(actor, query);
  }

  @Get('traceability')
  @Policy('read', 'Risk')
  @ApiOperation({ summary: 'Hazard → risk controls → verification evidence, with gaps flagged; paged' })
  traceability(
    @CurrentActor() actor: UserActor,
    @Query() query: TraceabilityQueryDto,
  ): Promise<Page<TraceabilityItemView>> {
    return this.reports.traceability(actor, query);
  }

  @Post('reviews')
  @Policy('update', 'Risk')
  @ApiOperation({ summary: 'Complete the quarterly review: notes and a frozen snapshot of the register' })
  @ApiOkResponse({ type: RiskReviewView })
  review(@CurrentActor() actor: UserActor, @Body() dto: CreateRiskReviewDto): Promise<RiskReviewView> {
    return this.reviewing.review(actor, dto);
  }

  @Get('reviews')
  @Policy('read', 'Risk')
  @ApiOperation({ summary: "A register's quarterly reviews, newest first; paged" })
  reviews(@CurrentActor() actor: UserActor, @Query() query: RiskReviewQueryDto): Promise<Page<RiskReviewView>> {
    return this.reviewing.reviews(actor, query);
  }

  @Get('export')
  @Policy('read', 'Risk')
  @ApiOperation({ summary: 'The risks you may read as CSV (the columns POST /api/risks/import takes)' })
  @ApiProduces('text/csv')
  async export(
    @CurrentActor() actor: UserActor,
    @Query() query: ExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.csv.export(actor, query);
    await reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  }

  @Post('import')
  @HttpCode(200)
  @Policy('create', 'Risk')
  @ApiOperation({
    summary: 'Import a CSV register (Content-Type: text/csv), all or nothing; problems named by row and column',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string' } })
  @ApiOkResponse({ type: ImportResultView })
  importCsv(@CurrentActor() actor: UserActor, @Body() csv: string): Promise<ImportResultView> {
    return this.csv.importCsv(actor, csv);
  }

  @Get(':id')
  @Policy('read', 'Risk')
  @ApiOkResponse({ type: RiskView })
  get(@CurrentActor() actor: UserActor, @Param() p: RiskParams): Promise<RiskView> {
    return this.risks.get(actor, p.id);
  }

  @Patch(':id')
  @Policy('update', 'Risk')
  @ApiOperation({ summary: 'Change a risk: a new version, levels recomputed; `controls` replaces the list' })
  @ApiOkResponse({ type: RiskView })
  update(@CurrentActor() actor: UserActor, @Param() p: RiskParams, @Body() dto: UpdateRiskDto): Promise<RiskView> {
    return this.risks.update(actor, p.id, dto);
  }

  @Get(':id/history')
  @Policy('read', 'Risk')
  @ApiOperation({ summary: "A risk's versions, newest first: who, when, what changed, before and after" })
  @ApiOkResponse({ type: [RiskVersionView] })
  history(@CurrentActor() actor: UserActor, @Param() p: RiskParams): Promise<RiskVersionView[]> {
    return this.risks.history(actor, p.id);
  }
}
