import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RENDER_METADATA } from '@nestjs/common/constants';
import { map, mergeMap, Observable } from 'rxjs';
import { abilityFor } from '../authz/ability.factory';
import type { AuthenticatedRequest } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { NotificationsService } from '../notifications/notifications.service';
import { confirmation } from './plain-messages';
import { siteMenu, type MenuAccess, type SiteMenu } from './site-menu';

/** The header's view of the signed-in user: name, role, which pages they may open and the menu to them. */
export interface ViewUser extends MenuAccess {
  name: string;
  role: string;
  menu: SiteMenu;
  /** Unread notifications, shown next to the name (set on rendered pages). */
  unreadNotifications?: number;
}

/** What a person may open: which menu entries to show. */
function menuAccess(actor: UserActor): MenuAccess {
  const ability = abilityFor(actor);
  return {
    canManageUsers: ability.can('update', 'User'),
    canReadTrail: ability.can('read', 'AuditLog'),
    canSweep: ability.can('read', 'SweepTask'),
    canSeePosture: ability.can('read', 'Posture'),
    canReadRisks: ability.can('read', 'Risk'),
    canReadDsr: ability.can('read', 'DsrRequest'),
    canDoDsrTasks: ability.can('update', 'DsrTask') && !ability.can('read', 'DsrRequest'),
    canAudit: ability.can('read', 'Engagement') && !ability.can('update', 'Engagement'),
    canManageEngagements: ability.can('update', 'Engagement'),
    canReadDocuments: ability.can('read', 'Document'),
    canReadReleases: ability.can('read', 'Release'),
    canReadFindings: ability.can('read', 'Finding'),
    canReadKeys: ability.can('read', 'Key'),
    canAcknowledge: ability.can('update', 'DocumentAcknowledgement'),
  };
}

/** The header's view of the signed-in user on the page at `url` (its link in the menu marked current). */
export function viewUser(actor: UserActor | undefined, url: string): ViewUser | null {
  if (!actor) return null;
  const access = menuAccess(actor);
  return { name: actor.name, role: actor.role.replace(/_/g, ' '), ...access, menu: siteMenu(access, url) };
}

/**
 * Adds the signed-in user (the "who am I" header, the menu and the unread count) to every rendered page.
 * (The session's anti-forgery token reaches every view through `reply.locals`: see CsrfGuard.)
 */
@Injectable()
export class ViewContextInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly notifications: NotificationsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get(RENDER_METADATA, context.getHandler()))
      return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { query?: { done?: unknown } }>();
    const actor = request.actor;
    const me = viewUser(actor, request.url);
    const confirmed = confirmation(request.query?.done);
    if (!actor || !me) return next.handle().pipe(map((data) => ({ ...(data as object), me, confirmed })));
    // Counted after the handler, so a page that marks notifications read shows the new count.
    return next.handle().pipe(
      mergeMap(async (data) => ({
        ...(data as object),
        confirmed,
        me: { ...me, unreadNotifications: await this.notifications.unreadCount(actor) },
      })),
    );
  }
}
