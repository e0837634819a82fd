import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import { ValidationError } from '../common/errors/app-error';
import type { Page } from '../common/http/pagination';
import { uploadParts } from '../evidence/upload-parts';
import { ATTACHMENT_MAX_BYTES, type ReleaseDecision } from './domain/release-model';
import {
  AttachmentParams,
  CreateReleaseDto,
  GateParams,
  ReleaseParams,
  ReleaseQueryDto,
  SignGateDto,
  type AttachmentView,
  type ReleaseListItem,
} from './dto/release.dto';
import { readAttachment } from './release-attachment-files';
import { ReleaseGateSignaturesService } from './release-gate-signatures.service';
import type { ReleaseDetail } from './release-views';
import { ReleasesService } from './releases.service';

@ApiTags('releases')
@Controller('api/releases')
export class ReleasesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly signatures: ReleaseGateSignaturesService,
  ) {}

  @Post()
  @Policy('create', 'Release')
  @ApiOperation({
    summary:
      'Create a release from CI (API token of an engineering user): 201 when new, 200 with the release when the ' +
      'product already has this version from the same commit (anomalies sent again replace the list); 409 for another commit',
  })
  async create(
    @CurrentActor() actor: UserActor,
    @Body() dto: CreateReleaseDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReleaseDetail> {
    const { release, created } = await this.releases.create(actor, dto);
    void reply.status(created ? 201 : 200);
    return release;
  }

  @Get()
  @Policy('read', 'Release')
  @ApiOperation({ summary: 'Releases you may read, newest build first; filter by product' })
  list(@CurrentActor() actor: UserActor, @Query() query: ReleaseQueryDto): Promise<Page<ReleaseListItem>> {
    return this.releases.list(actor, query);
  }

  @Get(':product/:version')
  @Policy('read', 'Release')
  @ApiOperation({
    summary:
      'One release: attachments, gates, signatures (valid / stale / broken), IEC 62304 5.8 view (anomalies, SOUP ' +
      'list and its change since the previous release, archived artefacts) and the decision',
  })
  get(@CurrentActor() actor: UserActor, @Param() p: ReleaseParams): Promise<ReleaseDetail> {
    return this.releases.get(actor, p.product, p.version);
  }

  @Post(':product/:version/attachments/:kind')
  @Policy('update', 'Release')
  @ApiOperation({
    summary:
      'Attach a file (multipart, one part named `file`): test_report (JUnit XML), sbom (CycloneDX JSON, schema-validated), ' +
      'secret_scan (gitleaks JSON), npm_audit (npm audit --json), osv (osv-scanner --format json), changelog (text). ' +
      'Parsed before anything is stored (400 naming the place in the file); 413 over the kind’s limit; the same file again: 200',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
  })
  async attach(
    @CurrentActor() actor: UserActor,
    @Param() p: AttachmentParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttachmentView> {
    if (!request.isMultipart())
      throw new ValidationError([{ field: 'file', message: 'send the file as multipart/form-data, part "file"' }]);
    const file = await readAttachment(uploadParts(request), ATTACHMENT_MAX_BYTES[p.kind]);
    const { attachment, created } = await this.releases.attach(actor, p.product, p.version, p.kind, file);
    void reply.status(created ? 201 : 200);
    return attachment;
  }

  @Get(':product/:version/decision')
  @Policy('read', 'Release')
  @ApiOperation({
    summary:
      'May this version go out? `{ approved, missing: [{ gate, reason }] }` for a deploy step; every call is audited',
  })
  decision(@CurrentActor() actor: UserActor, @Param() p: ReleaseParams): Promise<ReleaseDecision> {
    return this.releases.decision(actor, p.product, p.version);
  }

  @Post(':product/:version/risk-report')
  @Policy('create', 'ReleaseSignature')
  @ApiOperation({
    summary:
      'Generate the ISO 14971 clause 9 risk management report (PDF, stored as evidence of CLS-04 and ENG-06); the ' +
      'clause 9 gate signs its SHA-256. Download it from /api/evidence/{evidenceId}/download?file=2',
  })
  riskReport(
    @CurrentActor() actor: UserActor,
    @Param() p: ReleaseParams,
  ): Promise<{ evidenceId: string; sha256: string; generatedAt: string; risks: number }> {
    return this.signatures.generateRiskReport(actor, p.product, p.version);
  }

  @Post(':product/:version/gates/:gate/sign')
  @Policy('create', 'ReleaseSignature')
  @ApiOperation({
    summary:
      'Sign a gate with your password again (a session, not a token); only the signers controls/release-gates.yaml ' +
      'names for the gate. The clause 9 review also names the report it signs (reportSha256)',
  })
  sign(@CurrentActor() actor: UserActor, @Param() p: GateParams, @Body() dto: SignGateDto): Promise<ReleaseDetail> {
    return this.signatures.sign(actor, p.product, p.version, p.gate, dto);
  }
}
