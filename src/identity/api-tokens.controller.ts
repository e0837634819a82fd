import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenListQueryDto, ApiTokenView, CreateApiTokenDto, CreatedApiTokenView } from './dto/api-token.dto';

@ApiTags('api tokens')
@Controller('api/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @Policy('read', 'ApiToken')
  @ApiOperation({
    summary: 'Your API tokens (admins: everyone’s), newest first; revoked ones with includeRevoked=true',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: ApiTokenListQueryDto): Promise<Page<ApiTokenView>> {
    return this.tokens.list(actor, query);
  }

  @Post()
  @Policy('create', 'ApiToken')
  @ApiOperation({ summary: 'Create a personal API token; the token is in the response this once only' })
  @ApiCreatedResponse({ type: CreatedApiTokenView })
  create(@CurrentActor() actor: UserActor, @Body() dto: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    return this.tokens.create(actor, actor.id, dto);
  }

  @Delete(':id')
  @Policy('delete', 'ApiToken')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token' })
  @ApiNoContentResponse()
  revoke(@CurrentActor() actor: UserActor, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tokens.revoke(actor, id);
  }
}
