import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type {} from '@fastify/multipart'; // request.parts()
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import { contentDisposition } from './domain/file-names';
import {
  CreateEvidenceDto,
  DownloadQueryDto,
  EvidenceParams,
  EvidenceQueryDto,
  EvidenceView,
  UploadEvidenceFieldsDto,
  validated,
} from './dto/evidence.dto';
import { EvidenceQueriesService } from './evidence-queries.service';
import { EvidenceUploadService } from './evidence-upload.service';
import { EvidenceService } from './evidence.service';
import { declaredLength, uploadParts } from './upload-parts';

@ApiTags('evidence')
@ApiExtraModels(UploadEvidenceFieldsDto, CreateEvidenceDto)
@Controller('api/evidence')
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly uploads: EvidenceUploadService,
    private readonly queries: EvidenceQueriesService,
  ) {}

  @Post()
  @Policy('create', 'Evidence')
  @ApiOperation({
    summary: 'Submit evidence: files (multipart, one or more `file` parts) or a link, attestation or snapshot (JSON)',
    description:
      'Multipart fields: title, controls (comma-separated keys or repeated), evidenceDate, periodStart, periodEnd, supersedes?, description?. ' +
      'File types are sniffed from the bytes (EVIDENCE_ALLOWED_TYPES); executables and unknown binaries get 415, files over UPLOAD_LIMIT_BYTES 413. ' +
      'Control owners may attach evidence to their own controls only (403 evidence.not_your_control).',
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        {
          allOf: [
            { $ref: getSchemaPath(UploadEvidenceFieldsDto) },
            { type: 'object', properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } } } },
          ],
        },
        { $ref: getSchemaPath(CreateEvidenceDto) },
      ],
    },
  })
  @ApiOkResponse({ type: EvidenceView })
  async create(
    @CurrentActor() actor: UserActor,
    @Req() request: FastifyRequest,
    @Body() body: unknown,
  ): Promise<EvidenceView> {
    if (request.isMultipart()) return this.uploads.upload(actor, uploadParts(request), declaredLength(request));
    return this.evidence.create(actor, await validated(CreateEvidenceDto, body));
  }

  @Get()
  @Policy('read', 'Evidence')
  @ApiOperation({
    summary:
      'Evidence, newest first, paged; filter by control key, kind, evidence date (from/to, Asia/Bangkok days), submitter=me, current',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: EvidenceQueryDto): Promise<Page<EvidenceView>> {
    return this.queries.list(actor, query);
  }

  @Get(':id')
  @Policy('read', 'Evidence')
  @ApiOkResponse({ type: EvidenceView })
  get(@CurrentActor() actor: UserActor, @Param() p: EvidenceParams): Promise<EvidenceView> {
    return this.queries.get(actor, p.id);
  }

  @Get(':id/download')
  @Policy('read', 'Evidence')
  @ApiOperation({
    summary: 'Download a file of an item (a snapshot or attestation is its JSON document); recorded in the audit trail',
  })
  @ApiProduces('application/octet-stream')
  async download(
    @CurrentActor() actor: UserActor,
    @Param() p: EvidenceParams,
    @Query() q: DownloadQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.queries.download(actor, p.id, q.file ?? 1);
    await reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header('content-disposition', contentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
      .send(file.stream);
  }
}
