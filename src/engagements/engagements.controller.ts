import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import {
  AnswerEngagementRequestDto,
  CreateEngagementDto,
  CreateEngagementRequestDto,
  EngagementParams,
  EngagementQueryDto,
  EngagementRequestParams,
  EngagementRequestQueryDto,
  EngagementRequestView,
  EngagementView,
} from './dto/engagement.dto';
import { EngagementRequestsService } from './engagement-requests.service';
import { EngagementsService } from './engagements.service';

@ApiTags('engagements')
@Controller('api')
export class EngagementsController {
  constructor(
    private readonly engagements: EngagementsService,
    private readonly requests: EngagementRequestsService,
  ) {}

  @Post('engagements')
  @Policy('create', 'Engagement')
  @ApiOperation({ summary: 'Open an engagement for an auditor: frameworks, audit period (Asia/Bangkok days), expiry' })
  @ApiOkResponse({ type: EngagementView })
  open(@CurrentActor() actor: UserActor, @Body() dto: CreateEngagementDto): Promise<EngagementView> {
    return this.engagements.open(actor, dto);
  }

  @Get('engagements')
  @Policy('read', 'Engagement')
  @ApiOperation({
    summary: 'Engagements: compliance managers see all, auditors their own; active=1 for those active now',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: EngagementQueryDto): Promise<Page<EngagementView>> {
    return this.engagements.list(actor, query);
  }

  @Get('engagements/:id')
  @Policy('read', 'Engagement')
  @ApiOkResponse({ type: EngagementView })
  get(@CurrentActor() actor: UserActor, @Param() p: EngagementParams): Promise<EngagementView> {
    return this.engagements.get(actor, p.id);
  }

  @Post('engagements/:id/revoke')
  @HttpCode(200)
  @Policy('update', 'Engagement')
  @ApiOperation({ summary: "Revoke an engagement now: the auditor's access ends with their next request" })
  @ApiOkResponse({ type: EngagementView })
  revoke(@CurrentActor() actor: UserActor, @Param() p: EngagementParams): Promise<EngagementView> {
    return this.engagements.revoke(actor, p.id);
  }

  @Post('engagements/:id/requests')
  @Policy('create', 'EngagementRequest')
  @ApiOperation({ summary: 'An auditor leaves a request or comment on a requirement of a framework in scope' })
  @ApiOkResponse({ type: EngagementRequestView })
  createRequest(
    @CurrentActor() actor: UserActor,
    @Param() p: EngagementParams,
    @Body() dto: CreateEngagementRequestDto,
  ): Promise<EngagementRequestView> {
    return this.requests.createRequest(actor, p.id, dto);
  }

  @Get('engagement-requests')
  @Policy('read', 'EngagementRequest')
  @ApiOperation({
    summary:
      'Requests: compliance managers see all, auditors those of their active engagements; filter by engagement, status',
  })
  listRequests(
    @CurrentActor() actor: UserActor,
    @Query() query: EngagementRequestQueryDto,
  ): Promise<Page<EngagementRequestView>> {
    return this.requests.listRequests(actor, query);
  }

  @Post('engagement-requests/:id/answer')
  @HttpCode(200)
  @Policy('update', 'EngagementRequest')
  @ApiOperation({ summary: 'A compliance manager answers a request (once)' })
  @ApiOkResponse({ type: EngagementRequestView })
  answer(
    @CurrentActor() actor: UserActor,
    @Param() p: EngagementRequestParams,
    @Body() dto: AnswerEngagementRequestDto,
  ): Promise<EngagementRequestView> {
    return this.requests.answer(actor, p.id, dto);
  }
}
