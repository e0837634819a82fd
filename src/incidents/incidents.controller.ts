import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import { CreateRiskDto } from '../risks/dto/risk.dto';
import type { UserActor } from '../authz/actor';
import type { Page } from '../common/http/pagination';
import {
  BreachAssessmentDto,
  CapaParams,
  CreateCapaDto,
  IncidentParams,
  IncidentQueryDto,
  NoticeDto,
  ReportIncidentDto,
  ReviewDto,
  TimelineEntryDto,
  UpdateCapaDto,
  UpdateIncidentDto,
} from './dto/incident.dto';
import { IncidentCapasService } from './incident-capas.service';
import { IncidentChangesService } from './incident-changes.service';
import { IncidentIntakeGuard } from './incident-intake.guard';
import { IncidentNoticesService } from './incident-notices.service';
import { renderBreachNoticeDraft } from './notification-draft-pdf';
import type { IncidentDetail, IncidentListItem } from './incident-views';
import { IncidentsService } from './incidents.service';

@ApiTags('incidents')
@Controller('api/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly changes: IncidentChangesService,
    private readonly notices: IncidentNoticesService,
    private readonly capas: IncidentCapasService,
  ) {}

  @Post()
  @Policy('create', 'Incident')
  @UseGuards(IncidentIntakeGuard)
  @ApiOperation({
    summary:
      'Report an incident (anyone signed in; monitoring with an API token). With an externalKey already used, ' +
      'answers 200 with the incident it created (a retried alert creates one incident); 201 when new. Rate-limited.',
  })
  async report(
    @CurrentActor() actor: UserActor,
    @Body() dto: ReportIncidentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IncidentDetail> {
    const { incident, created } = await this.incidents.report(actor, dto, actor.via === 'token' ? 'api' : 'form');
    void reply.status(created ? 201 : 200);
    return incident;
  }

  @Get()
  @Policy('read', 'Incident')
  @ApiOperation({
    summary:
      'Incidents you may read, newest first, each with its clocks; filter by status, open, severity, category, text',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: IncidentQueryDto): Promise<Page<IncidentListItem>> {
    return this.incidents.list(actor, query);
  }

  @Get(':id')
  @Policy('read', 'Incident')
  @ApiOperation({
    summary: 'One incident: facts, clocks, severity history, timeline, breach assessment, notices, CAPAs, risks',
  })
  get(@CurrentActor() actor: UserActor, @Param() p: IncidentParams): Promise<IncidentDetail> {
    return this.incidents.get(actor, p.id);
  }

  @Patch(':id')
  @Policy('update', 'Incident')
  @ApiOperation({
    summary:
      'Change an incident: facts, severity (with severityReason), status forward through the cycle (closing a SEV1/SEV2 ' +
      'needs its review and every CAPA done or accepted), commander, adverse-event category, FSCA, linked risks',
  })
  update(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: UpdateIncidentDto,
  ): Promise<IncidentDetail> {
    return this.changes.update(actor, p.id, dto);
  }

  @Post(':id/timeline')
  @HttpCode(201)
  @Policy('update', 'Incident')
  @ApiOperation({
    summary: 'Add to the timeline (acknowledgement and the first user update answer the severity clocks)',
  })
  timeline(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: TimelineEntryDto,
  ): Promise<IncidentDetail> {
    return this.changes.addTimeline(actor, p.id, dto);
  }

  @Post(':id/breach-assessment')
  @HttpCode(201)
  @Policy('create', 'BreachAssessment')
  @ApiOperation({
    summary: 'Assess a personal-data breach (privacy officer): counts, categories, clause 12 factors, decision',
  })
  assess(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: BreachAssessmentDto,
  ): Promise<IncidentDetail> {
    return this.notices.assessBreach(actor, p.id, dto);
  }

  @Post(':id/notifications')
  @HttpCode(201)
  @Policy('create', 'IncidentNotice')
  @ApiOperation({
    summary:
      'Record a notice sent: to the PDPC Office or data subjects (privacy officer), to the Thai FDA (clinical owners); ' +
      'a late one needs lateReason',
  })
  notify(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: NoticeDto,
  ): Promise<IncidentDetail> {
    return this.notices.recordNotice(actor, p.id, dto);
  }

  @Get(':id/notification-draft.pdf')
  @Policy('read', 'BreachAssessment')
  @ApiOperation({
    summary:
      'A draft notice to the PDPC Office (PDF, Thai and English labels) filled from the newest breach assessment, ' +
      'for the privacy officer to review and send',
  })
  @ApiProduces('application/pdf')
  async draft(@CurrentActor() actor: UserActor, @Param() p: IncidentParams, @Res() reply: FastifyReply): Promise<void> {
    const draft = await this.notices.draft(actor, p.id);
    const pdf = await renderBreachNoticeDraft(draft);
    await reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${draft.incidentRef}-breach-notice-draft.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  }

  @Post(':id/capas')
  @HttpCode(201)
  @Policy('update', 'Incident')
  @ApiOperation({ summary: 'Add a corrective or preventive action (owner, due date)' })
  addCapa(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: CreateCapaDto,
  ): Promise<IncidentDetail> {
    return this.capas.add(actor, p.id, dto);
  }

  @Patch(':id/capas/:capaId')
  @Policy('update', 'IncidentCapa')
  @ApiOperation({
    summary: 'Close a CAPA as done (with its verification evidence) or accepted (with why), or reopen it',
  })
  updateCapa(
    @CurrentActor() actor: UserActor,
    @Param() p: CapaParams,
    @Body() dto: UpdateCapaDto,
  ): Promise<IncidentDetail> {
    return this.capas.update(actor, p.id, p.capaId, dto);
  }

  @Post(':id/risks')
  @HttpCode(201)
  @Policy('update', 'Incident')
  @ApiOperation({
    summary:
      'Raise a new hazard (ISO 14971 clause 10, post-production information) or security risk from this incident: ' +
      'the risk is added to its register and linked to the incident together (body as POST /api/risks)',
  })
  raiseRisk(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: CreateRiskDto,
  ): Promise<IncidentDetail> {
    return this.changes.raiseRisk(actor, p.id, dto);
  }

  @Post(':id/review')
  @HttpCode(201)
  @Policy('update', 'Incident')
  @ApiOperation({ summary: 'The post-incident review: cause, what went well, what to change' })
  review(
    @CurrentActor() actor: UserActor,
    @Param() p: IncidentParams,
    @Body() dto: ReviewDto,
  ): Promise<IncidentDetail> {
    return this.changes.review(actor, p.id, dto);
  }
}
