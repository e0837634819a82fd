import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnsupportedMediaTypeError } from '../errors/app-error';
import { isCrossOrigin } from './cross-origin';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Global guard, first of all: a state-changing request sent by a page of another origin (a sibling
 * subdomain included) is refused with 403 before anything else looks at it (see cross-origin.ts).
 */
@Injectable()
export class CrossOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (
      isCrossOrigin({
        method: request.method,
        secFetchSite: header(request, 'sec-fetch-site'),
        origin: header(request, 'origin'),
        host: request.host,
      })
    ) {
      throw new ForbiddenError(
        'This request came from a page of another site. Attest accepts changes only from its own pages and from API clients.',
        'request.cross_origin',
      );
    }
    return true;
  }
}

/** A route of the JSON API (by the route matched, so no spelling of the URL escapes it). */
export function isApiRoute(request: FastifyRequest): boolean {
  return (request.routeOptions?.url ?? request.url).startsWith('/api/');
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Types a cross-site HTML form can send; on /api/* only where a route declares them (uploads). */
const ALIASES: Record<string, string[]> = { 'application/yaml': ['text/yaml'] };

/**
 * Global guard: the JSON API takes JSON, and another type only where the route declares it with
 * `@ApiConsumes` (multipart uploads, CSV and YAML imports) — the declaration the OpenAPI document
 * shows. Form-encoded and text/plain bodies (what a cross-site form can send) get 415 problem+json.
 */
@Injectable()
export class ApiContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!WITH_BODY.has(request.method) || !isApiRoute(request)) return true;
    const contentType = header(request, 'content-type');
    if (contentType === undefined) return true; // no body to read
    const type = contentType.split(';')[0].trim().toLowerCase();
    const declared =
      this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const accepted = ['application/json', ...declared.flatMap((t) => [t, ...(ALIASES[t] ?? [])])];
    if (accepted.includes(type)) return true;
    throw new UnsupportedMediaTypeError(
      'request.unsupported_media_type',
      `This endpoint takes ${accepted.join(' or ')}, not ${type || 'an empty content type'}.`,
      [{ field: 'content-type', message: `must be ${accepted.join(' or ')}` }],
    );
  }
}
