import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import { actorRef, type UserActor } from '../authz/actor';
import { CatalogExportService } from './catalog-export.service';
import { CatalogService } from './catalog.service';
import {
  AssignOwnerDto,
  ControlParams,
  ControlQueryDto,
  ControlView,
  CoverageView,
  ExportQueryDto,
  FrameworkParams,
  FrameworkView,
  RequirementQueryDto,
  RequirementView,
} from './dto/catalog.dto';

@ApiTags('catalog')
@Controller('api')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly exports: CatalogExportService,
  ) {}

  @Get('frameworks')
  @Policy('read', 'Framework')
  @ApiOkResponse({ type: [FrameworkView] })
  async frameworks(): Promise<{ items: FrameworkView[] }> {
    return { items: await this.catalog.listFrameworks() };
  }

  @Get('frameworks/:key/requirements')
  @Policy('read', 'Requirement')
  @ApiOperation({ summary: "A framework's requirements in catalog order, each with the controls that satisfy it" })
  requirements(@Param() p: FrameworkParams, @Query() query: RequirementQueryDto): Promise<Page<RequirementView>> {
    return this.catalog.requirements(p.key, query);
  }

  @Get('frameworks/:key/coverage')
  @Policy('read', 'Framework')
  @ApiOperation({ summary: 'Requirements covered by at least one control, not applicable, and uncovered' })
  @ApiOkResponse({ type: CoverageView })
  coverage(@Param() p: FrameworkParams): Promise<CoverageView> {
    return this.catalog.coverage(p.key);
  }

  @Get('frameworks/:key/export')
  @Policy('read', 'Framework')
  @ApiOperation({ summary: 'Download the framework catalog and implementing controls as OSCAL 1.1 JSON or CSV' })
  @ApiProduces('application/json', 'text/csv')
  async export(
    @CurrentActor() actor: UserActor,
    @Param() p: FrameworkParams,
    @Query() q: ExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.exports.export(actorRef(actor), p.key, q.format);
    await reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  }

  @Get('controls')
  @Policy('read', 'Control')
  @ApiOperation({ summary: 'Controls, paged; filter by framework, owner (user id or "me"), department, cadence, text' })
  controls(@CurrentActor() actor: UserActor, @Query() query: ControlQueryDto): Promise<Page<ControlView>> {
    return this.catalog.listControls(actor, query);
  }

  @Get('controls/:key')
  @Policy('read', 'Control')
  @ApiOkResponse({ type: ControlView })
  control(@CurrentActor() actor: UserActor, @Param() p: ControlParams): Promise<ControlView> {
    return this.catalog.getControl(actor, p.key);
  }

  @Put('controls/:key/owner')
  @Policy('update', 'Control')
  @ApiOperation({ summary: 'Assign the person accountable for a control (kept across catalog syncs); null unassigns' })
  @ApiOkResponse({ type: ControlView })
  assignOwner(
    @CurrentActor() actor: UserActor,
    @Param() p: ControlParams,
    @Body() dto: AssignOwnerDto,
  ): Promise<ControlView> {
    return this.catalog.assignOwner(actor, p.key, dto);
  }
}
