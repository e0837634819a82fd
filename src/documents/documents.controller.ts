import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import {
  CreateDocumentDto,
  CreateVersionDto,
  DiffQueryDto,
  DiffView,
  DocumentParams,
  DocumentQueryDto,
  DocumentView,
  PublishVersionDto,
  RejectVersionDto,
  RetireDocumentDto,
  SignVersionDto,
  UpdateDocumentDto,
  UpdateVersionDto,
  VersionParams,
  VersionView,
} from './dto/document.dto';
import { RosterQueryDto, RosterView } from './dto/acknowledgement.dto';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';
import { DocumentSignaturesService } from './document-signatures.service';
import { DocumentVersionsService } from './document-versions.service';
import { DocumentsService } from './documents.service';

@ApiTags('documents')
@Controller('api/documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly versions: DocumentVersionsService,
    private readonly signatures: DocumentSignaturesService,
    private readonly acknowledgements: DocumentAcknowledgementsService,
  ) {}

  @Get()
  @Policy('read', 'Document')
  @ApiOperation({
    summary: 'Controlled documents you may read (published ones that apply to you; your department’s); paged',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: DocumentQueryDto): Promise<Page<DocumentView>> {
    return this.documents.list(actor, query);
  }

  @Post()
  @Policy('create', 'Document')
  @ApiOperation({ summary: 'Add a controlled document (its text comes as versions)' })
  @ApiOkResponse({ type: DocumentView })
  create(@CurrentActor() actor: UserActor, @Body() dto: CreateDocumentDto): Promise<DocumentView> {
    return this.documents.create(actor, dto);
  }

  @Get(':key')
  @Policy('read', 'Document')
  @ApiOperation({ summary: 'A document with the versions you may read, newest first' })
  @ApiOkResponse({ type: DocumentView })
  get(@CurrentActor() actor: UserActor, @Param() p: DocumentParams): Promise<DocumentView> {
    return this.documents.get(actor, p.key);
  }

  @Patch(':key')
  @Policy('update', 'Document')
  @ApiOperation({
    summary: 'Change title, owner, audience, review cadence or supported controls (`controls` replaces the list)',
  })
  @ApiOkResponse({ type: DocumentView })
  update(
    @CurrentActor() actor: UserActor,
    @Param() p: DocumentParams,
    @Body() dto: UpdateDocumentDto,
  ): Promise<DocumentView> {
    return this.documents.update(actor, p.key, dto);
  }

  @Post(':key/retire')
  @HttpCode(200)
  @Policy('manage', 'Document')
  @ApiOperation({
    summary:
      'Retire a published document with the reason: its version in force is retired, pending acknowledgements are cancelled; 409 when nothing is in force',
  })
  @ApiOkResponse({ type: DocumentView })
  retire(
    @CurrentActor() actor: UserActor,
    @Param() p: DocumentParams,
    @Body() dto: RetireDocumentDto,
  ): Promise<DocumentView> {
    return this.versions.retire(actor, p.key, dto);
  }

  @Get(':key/acknowledgements')
  @Policy('read', 'DocumentAcknowledgement')
  @ApiOperation({
    summary:
      'The acknowledgement roster: everyone in the audience, acknowledged / pending / overdue, with department; filters; CSV with ?format=csv or Accept: text/csv. Compliance, the owner department, auditors within their engagement',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: RosterView })
  async roster(
    @CurrentActor() actor: UserActor,
    @Param() p: DocumentParams,
    @Query() q: RosterQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/i.test(accept ?? ''));
    if (!csv) {
      await reply
        .header('content-type', 'application/json; charset=utf-8')
        .send(await this.acknowledgements.roster(actor, p.key, q));
      return;
    }
    const file = await this.acknowledgements.rosterCsv(actor, p.key, q);
    await reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  }

  @Post(':key/versions')
  @Policy('create', 'DocumentVersion')
  @ApiOperation({ summary: 'Start a new version (a draft) with its Markdown; 409 while another is not yet published' })
  @ApiOkResponse({ type: VersionView })
  createVersion(
    @CurrentActor() actor: UserActor,
    @Param() p: DocumentParams,
    @Body() dto: CreateVersionDto,
  ): Promise<VersionView> {
    return this.versions.create(actor, p.key, dto);
  }

  @Get(':key/versions/:n')
  @Policy('read', 'Document')
  @ApiOperation({ summary: 'A version: content, SHA-256, status, approvals required and signatures (each verified)' })
  @ApiOkResponse({ type: VersionView })
  getVersion(@CurrentActor() actor: UserActor, @Param() p: VersionParams): Promise<VersionView> {
    return this.versions.get(actor, p.key, p.n);
  }

  @Get(':key/versions/:n/pdf')
  @Policy('read', 'Document')
  @ApiOperation({
    summary:
      'The version as a PDF (Thai text correct): key, version, SHA-256, effective date, status, approvals with signer, role, meaning, time and validity, then the content',
  })
  @ApiProduces('application/pdf')
  async versionPdf(
    @CurrentActor() actor: UserActor,
    @Param() p: VersionParams,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.versions.pdf(actor, p.key, p.n);
    await reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  }

  @Patch(':key/versions/:n')
  @Policy('update', 'DocumentVersion')
  @ApiOperation({ summary: 'Change a draft; 409 once submitted (its content is frozen)' })
  @ApiOkResponse({ type: VersionView })
  updateVersion(
    @CurrentActor() actor: UserActor,
    @Param() p: VersionParams,
    @Body() dto: UpdateVersionDto,
  ): Promise<VersionView> {
    return this.versions.update(actor, p.key, p.n, dto);
  }

  @Post(':key/versions/:n/submit')
  @HttpCode(200)
  @Policy('update', 'DocumentVersion')
  @ApiOperation({ summary: 'Send a draft for approval: its content is frozen from now on' })
  @ApiOkResponse({ type: VersionView })
  submit(@CurrentActor() actor: UserActor, @Param() p: VersionParams): Promise<VersionView> {
    return this.versions.submit(actor, p.key, p.n);
  }

  @Post(':key/versions/:n/sign')
  @HttpCode(200)
  @Policy('create', 'DocumentSignature')
  @ApiOperation({
    summary:
      'Sign a version in review with your password and a meaning (reviewed / approved); bound to its SHA-256. A wrong password is refused (403) and audited',
  })
  @ApiOkResponse({ type: VersionView })
  sign(@CurrentActor() actor: UserActor, @Param() p: VersionParams, @Body() dto: SignVersionDto): Promise<VersionView> {
    return this.signatures.sign(actor, p.key, p.n, dto);
  }

  @Post(':key/versions/:n/reject')
  @HttpCode(200)
  @Policy('create', 'DocumentSignature')
  @ApiOperation({ summary: 'Return a version in review to draft, with the reason' })
  @ApiOkResponse({ type: VersionView })
  reject(
    @CurrentActor() actor: UserActor,
    @Param() p: VersionParams,
    @Body() dto: RejectVersionDto,
  ): Promise<VersionView> {
    return this.signatures.reject(actor, p.key, p.n, dto);
  }

  @Post(':key/versions/:n/publish')
  @HttpCode(200)
  @Policy('manage', 'Document')
  @ApiOperation({ summary: 'Publish an approved version; the one in force before is superseded' })
  @ApiOkResponse({ type: VersionView })
  publish(
    @CurrentActor() actor: UserActor,
    @Param() p: VersionParams,
    @Body() dto: PublishVersionDto,
  ): Promise<VersionView> {
    return this.versions.publish(actor, p.key, p.n, dto);
  }

  @Get(':key/versions/:n/diff')
  @Policy('read', 'Document')
  @ApiOperation({ summary: 'A line diff between this version and ?against=m (older to newer)' })
  @ApiOkResponse({ type: DiffView })
  diff(@CurrentActor() actor: UserActor, @Param() p: VersionParams, @Query() q: DiffQueryDto): Promise<DiffView> {
    return this.versions.diff(actor, p.key, p.n, q.against);
  }
}
