import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/app-error';
import {
  dottedPath,
  hasNulCharacter,
  NUL_CHARACTER_CODE,
  NUL_CHARACTER_MESSAGE,
  nulCharacterPaths,
  textPaths,
} from '../text/nul-characters';
import { hasLoneSurrogate, LONE_SURROGATE_CODE, LONE_SURROGATE_MESSAGE } from '../text/lone-surrogates';

/** A 400 naming each field that holds a NUL character. */
export function nulCharacterError(fields: string[]): ValidationError {
  return new ValidationError(
    fields.map((field) => ({ field, message: NUL_CHARACTER_MESSAGE })),
    undefined,
    NUL_CHARACTER_CODE,
  );
}

/** Throws the 400 when one value (a multipart field) holds a NUL character. */
export function refuseNulCharacter(field: string, value: string): void {
  if (hasNulCharacter(value)) throw nulCharacterError([field]);
}

/**
 * Every request's parsed body (JSON or form), query string and path parameters are checked before any
 * handler runs: a NUL character anywhere is a 400 naming the field (`title`, `items.0.title`, `q`).
 * Text bodies (CSV, YAML) are checked by their parsers, which can name the row and column or document.
 * Strings that are not Unicode (a lone surrogate escaped in JSON) are refused the same way.
 */
export function registerNulCharacterRule(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request) => {
    const fields = [request.params, request.query, typeof request.body === 'string' ? undefined : request.body].flatMap(
      (part) => nulCharacterPaths(part).map((path) => dottedPath(path) || 'body'),
    );
    if (fields.length) throw nulCharacterError(fields);
    // Only a JSON body can hold a lone surrogate (as an escape): decoded UTF-8 and URLs never do.
    const broken = textPaths(request.body, hasLoneSurrogate).map((path) => dottedPath(path) || 'body');
    if (broken.length)
      throw new ValidationError(
        broken.map((field) => ({ field, message: LONE_SURROGATE_MESSAGE })),
        undefined,
        LONE_SURROGATE_CODE,
      );
  });
}
