import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import {
  CreatedUserView,
  CreateUserDto,
  PasswordResetView,
  UpdateUserDto,
  UserListQueryDto,
  UserView,
} from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Policy('read', 'User')
  @ApiOperation({ summary: 'Users you may see, paged; filter by role, department, active, or text' })
  list(@CurrentActor() actor: UserActor, @Query() query: UserListQueryDto): Promise<Page<UserView>> {
    return this.users.list(actor, query);
  }

  @Get(':id')
  @Policy('read', 'User')
  @ApiOkResponse({ type: UserView })
  get(@CurrentActor() actor: UserActor, @Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  @Post()
  @Policy('create', 'User')
  @ApiOperation({ summary: 'Create a user; the response holds a one-time password, shown once' })
  @ApiCreatedResponse({ type: CreatedUserView })
  async create(@CurrentActor() actor: UserActor, @Body() dto: CreateUserDto): Promise<CreatedUserView> {
    const { user, oneTimePassword } = await this.users.create(actor, dto);
    return { user, oneTimePassword };
  }

  @Patch(':id')
  @Policy('update', 'User')
  @ApiOperation({ summary: 'Change name, role, department or active status (deactivating signs the user out)' })
  @ApiOkResponse({ type: UserView })
  update(
    @CurrentActor() actor: UserActor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserView> {
    return this.users.update(actor, id, dto);
  }

  @Post(':id/password-reset')
  @Policy('update', 'User')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new one-time password (shown once) and sign the user out everywhere' })
  @ApiOkResponse({ type: PasswordResetView })
  resetPassword(@CurrentActor() actor: UserActor, @Param('id', ParseUUIDPipe) id: string): Promise<PasswordResetView> {
    return this.users.resetPassword(actor, id);
  }
}
