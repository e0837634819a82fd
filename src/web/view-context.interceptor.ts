import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RENDER_METADATA } from '@nestjs/common/constants';
import { map, Observable } from 'rxjs';
import { abilityFor } from '../authz/ability.factory';
import type { AuthenticatedRequest } from '../authz/policy.decorator';
import type { UserActor } from '../identity/actor';

export interface ViewUser {
  name: string;
  role: string;
  canManageUsers: boolean;
  canReadTrail: boolean;
}

/** The header's view of the signed-in user: name, role and which menu entries to show. */
export function viewUser(actor: UserActor | undefined): ViewUser | null {
  if (!actor) return null;
  const ability = abilityFor(actor);
  return { name: actor.name, role: actor.role.replace(/_/g, ' '), canManageUsers: ability.can('update', 'User'), canReadTrail: ability.can('read', 'AuditLog') };
}

/** Adds the signed-in user (the "who am I" header and the menu) to every rendered page. */
@Injectable()
export class ViewContextInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get(RENDER_METADATA, context.getHandler())) return next.handle();
    const me = viewUser(context.switchToHttp().getRequest<AuthenticatedRequest>().actor);
    return next.handle().pipe(map((data) => ({ ...(data as object), me })));
  }
}
