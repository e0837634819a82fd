import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import { AcknowledgementParams, AcknowledgementView, MyAcknowledgementsQueryDto } from './dto/acknowledgement.dto';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';

@ApiTags('documents')
@Controller('api')
export class AcknowledgementsController {
  constructor(private readonly acknowledgements: DocumentAcknowledgementsService) {}

  @Get('me/acknowledgements')
  @Policy('read', 'DocumentAcknowledgement')
  @ApiOperation({
    summary: 'Documents you are asked to read and acknowledge (current versions), pending and overdue first; paged',
  })
  mine(
    @CurrentActor() actor: UserActor,
    @Query() query: MyAcknowledgementsQueryDto,
  ): Promise<Page<AcknowledgementView>> {
    return this.acknowledgements.mine(actor, query);
  }

  @Post('acknowledgements/:id/acknowledge')
  @HttpCode(200)
  @Policy('update', 'DocumentAcknowledgement')
  @ApiOperation({
    summary:
      'Acknowledge your own task (records you, the version’s SHA-256 and the time; audited). Idempotent; 404 for another person’s task; 409 when a later material version replaced it',
  })
  @ApiOkResponse({ type: AcknowledgementView })
  acknowledge(@CurrentActor() actor: UserActor, @Param() p: AcknowledgementParams): Promise<AcknowledgementView> {
    return this.acknowledgements.acknowledge(actor, p.id);
  }
}
