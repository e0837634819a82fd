import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/app-error';

/**
 * Arrays and objects nested deeper than this are refused before parsing: no real request comes close, and
 * it is above the 64 levels a snapshot's `data` may hold (that rule, naming `data`, still answers for it).
 */
export const MAX_JSON_DEPTH = 128;

/**
 * How deeply `text` nests arrays and objects, counted in one pass without recursion and given up as soon
 * as `limit` is passed (strings are skipped, escapes included). Malformed text is left to the parser.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Fastify's own JSON parser (with its prototype-poisoning protection), whose failures become a 400
 * naming the body. Without this, Nest turns them into a bare HttpException and the field is lost.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(
        new ValidationError(
          [{ field: 'body', message: 'is empty, but the content type is application/json' }],
          undefined,
          'request.empty_json',
        ),
        undefined,
      );
      return;
    }
    // JSON.parse and everything after it (validation, class-transformer) walk the value recursively; a
    // body nested 100 000 levels deep would exhaust the stack, so the depth is checked first, iteratively.
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(
        new ValidationError(
          [{ field: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` }],
          undefined,
          'request.json_too_deep',
        ),
        undefined,
      );
      return;
    }
    void parse(request, body as string, (err, value) => {
      if (err)
        done(
          new ValidationError(
            [{ field: 'body', message: `is not valid JSON (${err.message})` }],
            undefined,
            'request.malformed_json',
          ),
          undefined,
        );
      else done(null, value);
    });
  });
}
