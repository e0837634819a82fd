import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AuthenticatedRequest } from '../authz/policy.decorator';
import { viewUser } from './view-context.interceptor';
import { PROBLEM_CONTENT_TYPE, problemFor } from '../common/http/problem';
import { plainProblem } from './plain-messages';

/** A browser navigating to a page, or submitting a page's form (not an API call, not an asset). */
function wantsPage(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')) return false;
  return request.method === 'GET' || (request.method === 'POST' && isFormPost(request));
}

function isFormPost(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/** Where the form that failed was (same site only), so the error page can lead back to it. */
function formPage(request: FastifyRequest): string | null {
  if (request.method !== 'POST' || !request.headers.referer) return null;
  try {
    const from = new URL(request.headers.referer);
    return from.host === request.headers.host ? `${from.pathname}${from.search}` : null;
  } catch {
    return null;
  }
}

/** The one place that turns exceptions into application/problem+json responses. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, unexpected, retryAfterSeconds } = problemFor(exception);
    if (unexpected) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      const where = { requestId: request.id, route: request.routeOptions?.url };
      // The database down is an outage, not a defect: one line per request, without the stack (a restart of
      // PostgreSQL under load would otherwise write hundreds of stacks that hide real errors).
      if (problem.code === 'database.unavailable')
        this.log.warn({ ...where, cause: err.message }, 'database unavailable');
      else this.log.error({ err, ...where }, 'unhandled error');
    }
    if (reply.sent) return;
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    if (problem.status === 401 && request.method === 'GET' && wantsPage(request)) {
      // A person opening a page while signed out goes to the login page, and comes back afterwards.
      reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    if (wantsPage(request)) {
      // People get a page (a failed form: with the reasons and a way back), in plain words; the problem document
      // stays the API's answer.
      const page = plainProblem(problem, request.method);
      void reply.status(problem.status).view('error', {
        pageTitle: page.title,
        problem: { ...page, requestId: request.id },
        back: formPage(request),
        me: viewUser((request as AuthenticatedRequest).actor, request.url),
      });
      return;
    }
    reply
      .status(problem.status)
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .send(JSON.stringify({ ...problem, instance: request.url.split('?')[0], requestId: request.id }));
  }
}
