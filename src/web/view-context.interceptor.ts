import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RENDER_METADATA } from '@nestjs/common/constants';
import { map, mergeMap, Observable } from 'rxjs';
import { abilityFor } from '../authz/ability.factory';
import type { AuthenticatedRequest } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { NotificationsService } from '../notifications/notifications.service';
import { confirmation } from './plain-messages';

export interface ViewUser {
  name: string;
  role: string;
  canManageUsers: boolean;
  canReadTrail: boolean;
  canSweep: boolean;
  canSeePosture: boolean;
  canReadRisks: boolean;
  /** The DSR queue (privacy officer, compliance manager, admin). */
  canReadDsr: boolean;
  /** Manual DSR tasks only (control owners): a menu entry of their own. */
  canDoDsrTasks: boolean;
  /** The auditor portal (auditors: their engagements). */
  canAudit: boolean;
  /** Opening and revoking engagements, answering requests (compliance managers, admins). */
  canManageEngagements: boolean;
  /** Controlled documents (everyone; auditors within an engagement). */
  canReadDocuments: boolean;
  canReadReleases: boolean;
  canReadFindings: boolean;
  canReadKeys: boolean;
  /** "My acknowledgements": the documents one is asked to read (everyone but auditors). */
  canAcknowledge: boolean;
  /** Unread notifications, shown next to the name (set on rendered pages). */
  unreadNotifications?: number;
}

/** The header's view of the signed-in user: name, role and which menu entries to show. */
export function viewUser(actor: UserActor | undefined): ViewUser | null {
  if (!actor) return null;
  const ability = abilityFor(actor);
  return {
    name: actor.name,
    role: actor.role.replace(/_/g, ' '),
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
    const me = viewUser(actor);
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
