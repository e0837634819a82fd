import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/app-error';

/**
 * Fastify's own JSON parser (with its prototype-poisoning protection), whose failures become a 400
 * naming the body. Without this, Nest turns them into a bare HttpException and the field is lost.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(new ValidationError([{ field: 'body', message: 'is empty, but the content type is application/json' }], undefined, 'request.empty_json'), undefined);
      return;
    }
    parse(request, body as string, (err, value) => {
      if (err) done(new ValidationError([{ field: 'body', message: `is not valid JSON (${err.message})` }], undefined, 'request.malformed_json'), undefined);
      else done(null, value);
    });
  });
}
