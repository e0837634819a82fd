import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '../common/errors/app-error';
import { abilityFor } from './ability.factory';
import { AUTHENTICATED_ROUTE, AuthenticatedRequest, PUBLIC_ROUTE, ROUTE_POLICY, RoutePolicy } from './policy.decorator';

/**
 * Global guard, second of two: deny by default. A route must be @Public(), @Authenticated() or carry a
 * @Policy(action, subject) the caller's ability allows for at least some rows of that type (403
 * otherwise). Services then check the loaded row and filter lists in SQL.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const actor = request.actor;
    if (!actor) return false; // the authentication guard has already answered 401
    // The request's one ability: services and pages reach the same object through abilityFor(actor).
    const ability = (request.ability = abilityFor(actor));
    if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ROUTE, targets)) return true;
    const policy = this.reflector.getAllAndOverride<RoutePolicy>(ROUTE_POLICY, targets);
    if (!policy)
      throw new ForbiddenError('This route declares no access policy, so nobody may use it.', 'auth.no_policy');
    if (!ability.can(policy.action, policy.subject)) {
      throw new ForbiddenError(
        `Your role (${actor.role}) may not ${policy.action} ${policy.subject}.`,
        'auth.forbidden',
      );
    }
    return true;
  }
}
