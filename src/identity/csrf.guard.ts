import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, PUBLIC_ROUTE } from '../authz/policy.decorator';
import { ForbiddenError } from '../common/errors/app-error';
import { isApiRoute } from '../common/http/request-origin.guards';
import { SESSION_COOKIE } from './auth.service';
import { csrfTokenFor, csrfTokenMatches } from './domain/csrf-token';

/** The form field (and `?_csrf=` for multipart forms, whose body is read later) carrying the token. */
export const CSRF_FIELD = '_csrf';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The anti-forgery token for the request's session cookie, or null when the request has none (pages put it in every form). */
export function csrfTokenOf(request: AuthenticatedRequest): string | null {
  const cookie = request.cookies?.[SESSION_COOKIE];
  return request.actor?.via === 'session' && cookie ? csrfTokenFor(cookie) : null;
}

/**
 * Global guard, after authentication. Hands the session's token to every view of a page route (`reply.locals.csrfToken`,
 * which @fastify/view merges into each render, error pages and re-rendered forms included). Then: a page request that changes something, made with the session
 * cookie, must carry the session's token (`_csrf` form field, `X-CSRF-Token` header, or `?_csrf=` for a
 * multipart form). API calls are JSON-only (ApiContentTypeGuard) and bearer tokens are not sent by
 * browsers on their own, so neither needs it; public routes (sign-in) rely on CrossOriginGuard.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // API routes render no views (their errors are problem+json): no token to compute (an HMAC) for them.
    const api = isApiRoute(request);
    const token = api ? null : csrfTokenOf(request);
    if (token) {
      const reply = context.switchToHttp().getResponse<FastifyReply & { locals?: Record<string, unknown> | null }>();
      reply.locals = { ...(reply.locals ?? {}), csrfToken: token };
    }
    if (!STATE_CHANGING.has(request.method) || api) return true;
    if (request.actor?.via !== 'session') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) === true)
      return true;
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : null;
    const query =
      request.query && typeof request.query === 'object' ? (request.query as Record<string, unknown>) : null;
    const header = request.headers['x-csrf-token'];
    const presented = body?.[CSRF_FIELD] ?? (typeof header === 'string' ? header : undefined) ?? query?.[CSRF_FIELD];
    if (!csrfTokenMatches(request.cookies?.[SESSION_COOKIE] ?? '', presented)) {
      throw new ForbiddenError(
        'This form could not be accepted: it is from an older sign-in or from another site. Go back, reload the page and send it again.',
        'csrf.invalid_token',
      );
    }
    // The token is not part of any form's fields (the validation pipe refuses unknown fields).
    if (body) delete body[CSRF_FIELD];
    if (query) delete query[CSRF_FIELD];
    return true;
  }
}
