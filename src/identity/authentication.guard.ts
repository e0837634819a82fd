import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest, PUBLIC_ROUTE } from '../authz/policy.decorator';
import { UnauthenticatedError } from '../common/errors/app-error';
import { AuthService, SESSION_COOKIE } from './auth.service';

/**
 * Global guard, first of two: finds who is calling (Bearer API token, else the session cookie) and
 * rejects anonymous calls to anything not marked @Public(). The policy guard runs next.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const isPublic =
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) === true;

    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const [scheme, token] = authorization.split(' ');
      const found = scheme?.toLowerCase() === 'bearer' && token ? await this.auth.authenticateApiToken(token) : null;
      if (found) [request.actor, request.signedInUser] = [found.actor, found.user];
      else if (!isPublic)
        throw new UnauthenticatedError('The API token is not valid, expired or revoked.', 'auth.invalid_token');
    } else {
      const cookie = request.cookies?.[SESSION_COOKIE];
      const found = cookie ? await this.auth.authenticateSession(cookie) : null;
      if (found) [request.actor, request.signedInUser] = [found.actor, found.user];
    }
    if (!isPublic && !request.actor) throw new UnauthenticatedError();
    return true;
  }
}
