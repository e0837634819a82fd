import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AppAbility } from './ability.factory';
import type { Actor, SignedInUser, UserActor } from './actor';
import type { Action, SubjectType } from './subjects';

export const PUBLIC_ROUTE = 'attest:public';
export const AUTHENTICATED_ROUTE = 'attest:authenticated';
export const ROUTE_POLICY = 'attest:policy';

export interface RoutePolicy {
  action: Action;
  subject: SubjectType;
}

/** No sign-in needed (health, login, static pages). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Any signed-in user, whatever the role (own profile, logout). Row checks stay with the service. */
export const Authenticated = () => SetMetadata(AUTHENTICATED_ROUTE, true);

/**
 * The action the route performs on a subject type. The guard checks the actor may do it to at least
 * some rows of that type (403 otherwise); services then check the loaded row and filter lists in SQL.
 */
export const Policy = (action: Action, subject: SubjectType) =>
  SetMetadata(ROUTE_POLICY, { action, subject } satisfies RoutePolicy);

/** Request augmented by the authentication guard (the actor) and the policy guard (its ability). */
export interface AuthenticatedRequest extends FastifyRequest {
  actor?: UserActor;
  ability?: AppAbility;
  /** The actor's user as authentication read it (with the credential, in one query): `GET /api/me` answers from it. */
  signedInUser?: SignedInUser;
}

/** The signed-in user of the request (routes behind @Policy or @Authenticated always have one). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});

/** The ability of the request's actor, built once by the policy guard (routes behind @Policy or @Authenticated). */
export const CurrentAbility = createParamDecorator((_: unknown, ctx: ExecutionContext): AppAbility => {
  const ability = ctx.switchToHttp().getRequest<AuthenticatedRequest>().ability;
  if (!ability) throw new Error('CurrentAbility used on a route without authentication');
  return ability;
});
