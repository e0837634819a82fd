import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import { ValidationError } from '../common/errors/app-error';
import { Page, PageQueryDto } from '../common/http/pagination';
import { uploadParts } from '../evidence/upload-parts';
import { readAttachment } from '../releases/release-attachment-files';
import {
  AcceptFindingDto,
  CreateFindingDto,
  CreatePenTestDto,
  FindingParams,
  FindingQueryDto,
  FixFindingDto,
  ImportParams,
  ImportQueryDto,
  RetestFindingDto,
  type FindingView,
  type PenTestView,
  type ScanImportView,
} from './dto/finding.dto';
import { FindingAcceptancesService } from './finding-acceptances.service';
import { FindingImportsService } from './finding-imports.service';
import { FindingsService } from './findings.service';

/** Largest scanner report accepted (as the releases' npm audit / OSV / gitleaks attachments). */
export const SCAN_REPORT_MAX_BYTES = 10 * 1024 * 1024;

@ApiTags('findings')
@Controller('api')
export class FindingsController {
  constructor(
    private readonly findings: FindingsService,
    private readonly imports: FindingImportsService,
    private readonly acceptances: FindingAcceptancesService,
  ) {}

  @Get('findings')
  @Policy('read', 'Finding')
  @ApiOperation({
    summary:
      'Findings you may read, oldest first, each with its SLA clock; filter by status, severity, product, department',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: FindingQueryDto): Promise<Page<FindingView>> {
    return this.findings.list(actor, query);
  }

  @Post('findings')
  @Policy('create', 'Finding')
  @ApiOperation({ summary: 'Record a finding by hand or from a pen test (scanner findings come from imports)' })
  create(@CurrentActor() actor: UserActor, @Body() dto: CreateFindingDto): Promise<FindingView> {
    return this.findings.create(actor, dto);
  }

  @Post('findings/imports/:kind')
  @Policy('create', 'FindingImport')
  @ApiOperation({
    summary:
      'Import a scanner report (multipart, one part named `file`): npm-audit (npm audit --json), osv (osv-scanner ' +
      '--format json), gitleaks (--report-format json), for ?product=. The same report again: 200 and nothing changes; ' +
      'findings missing from a later report of the kind and product become resolved_by_scan with the report as evidence',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
  })
  async import(
    @CurrentActor() actor: UserActor,
    @Param() p: ImportParams,
    @Query() query: ImportQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScanImportView> {
    if (!request.isMultipart())
      throw new ValidationError([{ field: 'file', message: 'send the report as multipart/form-data, part "file"' }]);
    const file = await readAttachment(uploadParts(request), SCAN_REPORT_MAX_BYTES);
    const result = await this.imports.import(actor, p.kind, query, file);
    void reply.status(result.created ? 201 : 200);
    return result;
  }

  @Get('findings/:id')
  @Policy('read', 'Finding')
  @ApiOperation({ summary: 'One finding with its SLA clock and newest risk acceptance' })
  get(@CurrentActor() actor: UserActor, @Param() p: FindingParams): Promise<FindingView> {
    return this.findings.get(actor, p.id);
  }

  @Post('findings/:id/fix')
  @Policy('update', 'Finding')
  @ApiOperation({ summary: 'Record the fix with an evidence item: the SLA clock stops; a retest closes or reopens it' })
  fix(@CurrentActor() actor: UserActor, @Param() p: FindingParams, @Body() dto: FixFindingDto): Promise<FindingView> {
    return this.findings.fix(actor, p.id, dto);
  }

  @Post('findings/:id/retest')
  @Policy('update', 'Finding')
  @ApiOperation({ summary: 'Record the retest of a fixed finding: passed closes it, failed reopens it' })
  retest(
    @CurrentActor() actor: UserActor,
    @Param() p: FindingParams,
    @Body() dto: RetestFindingDto,
  ): Promise<FindingView> {
    return this.findings.retest(actor, p.id, dto);
  }

  @Post('findings/:id/acceptance')
  @Policy('create', 'FindingAcceptance')
  @ApiOperation({
    summary:
      'Accept the risk of a finding until expiresOn, signed with your password again (a session, not a token): an ' +
      'exception that stops an accepted scanner finding from blocking releases of its product until it expires',
  })
  accept(
    @CurrentActor() actor: UserActor,
    @Param() p: FindingParams,
    @Body() dto: AcceptFindingDto,
  ): Promise<FindingView> {
    return this.acceptances.accept(actor, p.id, dto);
  }

  @Get('pen-tests')
  @Policy('read', 'PenTest')
  @ApiOperation({ summary: 'Pen-test engagements, newest first' })
  listPenTests(@Query() query: PageQueryDto): Promise<Page<PenTestView>> {
    return this.findings.listPenTests(query);
  }

  @Post('pen-tests')
  @Policy('create', 'PenTest')
  @ApiOperation({ summary: 'Record a pen-test engagement (vendor, dates); its findings name it' })
  createPenTest(@CurrentActor() actor: UserActor, @Body() dto: CreatePenTestDto): Promise<PenTestView> {
    return this.findings.createPenTest(actor, dto);
  }
}
