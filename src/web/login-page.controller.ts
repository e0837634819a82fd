import { Body, Controller, Get, HttpCode, Inject, Post, Query, Render, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type {} from '@fastify/view'; // reply.view()
import type { FastifyReply } from 'fastify';
import { Authenticated, AuthenticatedRequest, CurrentActor, Public } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { AuthService, SESSION_COOKIE } from '../identity/auth.service';
import { DEMO_PASSWORD, DEMO_USERS } from '../identity/demo-users';
import { LoginThrottlerGuard } from '../identity/login-throttler.guard';
import { sessionCookieOptions } from '../identity/session-cookie';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { LoginFormDto } from './dto/login-form.dto';
import { LoginPageService, safeNext } from './login-page.service';

@ApiExcludeController()
@Controller()
export class LoginPageController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly login: LoginPageService,
    private readonly auth: AuthService,
  ) {}

  private page(next: string, error?: string, email?: string) {
    return {
      pageTitle: 'Sign in',
      next,
      error,
      email,
      demoUsers: this.config.demo ? DEMO_USERS : null,
      demoPassword: DEMO_PASSWORD,
    };
  }

  @Get('login')
  @Public()
  @Render('login')
  form(@Query('next') next?: string) {
    return this.page(safeNext(next));
  }

  @Post('login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  async submit(
    @Body() form: LoginFormDto,
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const next = safeNext(form.next);
    const result = await this.login.attempt(form.email, form.password);
    if (!result.ok) {
      await reply.status(401).view('login', { ...this.page(next, result.message, form.email), me: null });
      return;
    }
    reply.setCookie(SESSION_COOKIE, result.session.sessionToken, sessionCookieOptions(req, result.session.expiresAt));
    await reply.redirect(next, 303);
  }

  @Post('logout')
  @Authenticated()
  async logout(
    @CurrentActor() actor: UserActor,
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(actor, req.cookies?.[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    await reply.redirect('/login', 303);
  }
}
