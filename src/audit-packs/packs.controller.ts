import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import {
  PackParams,
  PackQueryDto,
  PackRequestedView,
  PackVerificationView,
  PackView,
  RequestPackDto,
} from './dto/pack.dto';
import { PackDownload, PacksService } from './packs.service';
import { PackSigner } from './signing/pack-signer';

@ApiTags('audit packs')
@Controller('api/packs')
export class PacksController {
  constructor(
    private readonly packs: PacksService,
    private readonly signer: PackSigner,
  ) {}

  @Post()
  @HttpCode(202)
  @Policy('create', 'AuditPack')
  @ApiOperation({
    summary:
      'Request an audit pack for a framework and period (Asia/Bangkok days); joins the one of the same scope that is queued or building',
  })
  @ApiAcceptedResponse({ type: PackRequestedView })
  request(@CurrentActor() actor: UserActor, @Body() dto: RequestPackDto): Promise<PackRequestedView> {
    return this.packs.request(actor, dto);
  }

  @Get()
  @Policy('read', 'AuditPack')
  @ApiOperation({ summary: 'Audit packs, newest first, paged' })
  list(@CurrentActor() actor: UserActor, @Query() query: PackQueryDto): Promise<Page<PackView>> {
    return this.packs.list(actor, query);
  }

  @Get('certificate')
  @Policy('read', 'AuditPack')
  @ApiOperation({
    summary:
      'The certificate packs are signed with (configured P12, or self-signed at first start): subject, SHA-256 fingerprint, expiry, PEM',
  })
  certificate(): { subject: string; fingerprintSha256: string; notAfter: string; selfSigned: boolean; pem: string } {
    const { subject, fingerprintSha256, notAfter, selfSigned, pem } = this.signer.certificate();
    return { subject, fingerprintSha256, notAfter, selfSigned, pem };
  }

  @Get(':id')
  @Policy('read', 'AuditPack')
  @ApiOperation({ summary: 'A pack: status, progress and stage while it builds; hashes and sizes once done' })
  @ApiOkResponse({ type: PackView })
  get(@CurrentActor() actor: UserActor, @Param() p: PackParams): Promise<PackView> {
    return this.packs.get(actor, p.id);
  }

  @Get(':id/download')
  @Policy('read', 'AuditPack')
  @ApiOperation({
    summary:
      'The pack ZIP (signed PDF, evidence files, manifest.json + .sig, certificate.pem), streamed; recorded in the audit trail',
  })
  @ApiProduces('application/zip')
  async download(@CurrentActor() actor: UserActor, @Param() p: PackParams, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.packs.download(actor, p.id, 'zip'));
  }

  @Get(':id/pdf')
  @Policy('read', 'AuditPack')
  @ApiOperation({ summary: 'The signed PDF of the pack; recorded in the audit trail' })
  @ApiProduces('application/pdf')
  async pdf(@CurrentActor() actor: UserActor, @Param() p: PackParams, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.packs.download(actor, p.id, 'pdf'));
  }

  @Get(':id/manifest')
  @Policy('read', 'AuditPack')
  @ApiOperation({
    summary:
      "The pack's manifest.json (every file's name, size and SHA-256), read from its ZIP; recorded in the audit trail",
  })
  @ApiProduces('application/json')
  async manifest(@CurrentActor() actor: UserActor, @Param() p: PackParams, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.packs.manifest(actor, p.id));
  }

  @Get(':id/verify')
  @Policy('read', 'AuditPack')
  @ApiOperation({
    summary:
      'Verify the pack ZIP as `attest pack verify` does: PDF signature, manifest signature, every file against the manifest',
  })
  @ApiOkResponse({ type: PackVerificationView })
  verify(@CurrentActor() actor: UserActor, @Param() p: PackParams): Promise<PackVerificationView> {
    return this.packs.verify(actor, p.id);
  }
}

async function send(reply: FastifyReply, file: PackDownload): Promise<void> {
  await reply
    .header('content-type', file.contentType)
    .header('content-length', String(file.size))
    .header('content-disposition', `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
    .send(file.stream);
}
