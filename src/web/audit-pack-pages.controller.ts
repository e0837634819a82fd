import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PacksService } from '../audit-packs/packs.service';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { PackFormDto, PackPageParams } from './dto/audit-forms.dto';
import { auditPackPage } from './audit-pack.page';

/** "Request a pack" from the auditor portal, and the pack's page: progress while it builds, downloads when done. */
@ApiExcludeController()
@Controller('audit/packs')
export class AuditPackPagesController {
  constructor(private readonly packs: PacksService) {}

  @Post()
  @Policy('create', 'AuditPack')
  async request(
    @CurrentActor() actor: UserActor,
    @Body() form: PackFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { id } = await this.packs.request(actor, {
      framework: form.framework,
      from: form.from,
      to: form.to,
      engagementId: form.engagementId,
    });
    await reply.redirect(`/audit/packs/${id}`, 303);
  }

  @Get(':id')
  @Policy('read', 'AuditPack')
  @Render('audit-pack')
  async pack(@CurrentActor() actor: UserActor, @Param() p: PackPageParams) {
    return auditPackPage(await this.packs.get(actor, p.id));
  }
}
