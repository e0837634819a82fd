import { Body, Controller, Get, HttpCode, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, AuthenticatedRequest, CurrentActor, Public } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { ChangePasswordDto, LoginDto, UpdateMeDto, UserView } from './dto/user.dto';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { sessionCookieOptions } from './session-cookie';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('auth/login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with e-mail and password; sets the session cookie' })
  @ApiOkResponse({ type: UserView })
  @ApiUnauthorizedResponse({ description: 'wrong e-mail or password (one message for every reason)' })
  @ApiTooManyRequestsResponse({ description: 'too many attempts for this address and e-mail' })
  async login(
    @Body() dto: LoginDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserView> {
    const result = await this.auth.login(dto.email, dto.password);
    reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookieOptions(req, result.expiresAt));
    return this.users.me(result.actor);
  }

  @Post('auth/logout')
  @Authenticated()
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiNoContentResponse({ description: 'the session is revoked and the cookie cleared' })
  async logout(
    @CurrentActor() actor: UserActor,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(actor, req.cookies?.[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who am I' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentActor() actor: UserActor, @Req() req: AuthenticatedRequest): Promise<UserView> {
    return this.users.me(actor, req.signedInUser);
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Change my display name (role, department and status are set by an admin)' })
  @ApiOkResponse({ type: UserView })
  updateMe(@CurrentActor() actor: UserActor, @Body() dto: UpdateMeDto): Promise<UserView> {
    return this.users.updateMe(actor, dto);
  }

  @Post('me/password')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my password' })
  changePassword(@CurrentActor() actor: UserActor, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.users.changePassword(actor, dto);
  }
}
