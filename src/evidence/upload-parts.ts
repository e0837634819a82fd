// Fastify's multipart request as the evidence service takes it: fields and file streams, with per-request
// limits; shared by the API (evidence.controller) and the sweep pages' upload form.
import type {} from '@fastify/multipart'; // request.parts()
import type { FastifyRequest } from 'fastify';
import { refuseNulCharacter } from '../common/http/nul-character-rule';
import { MAX_CONTROLS_PER_ITEM, MAX_FILES_PER_ITEM } from './domain/evidence-model';

/** One part of a multipart upload, as the controller hands it over (fields and files in arrival order). */
export type UploadPart =
  | { type: 'field'; name: string; value: string; truncated: boolean }
  | {
      type: 'file';
      name: string;
      filename: string;
      stream: NodeJS.ReadableStream | AsyncIterable<Buffer>;
      truncated: () => boolean;
    };

/** Per-request multipart limits (the file size limit, UPLOAD_LIMIT_BYTES, is set where the plugin is registered). */
const MULTIPART_LIMITS = {
  files: MAX_FILES_PER_ITEM,
  fields: 20 + MAX_CONTROLS_PER_ITEM,
  parts: 20 + MAX_CONTROLS_PER_ITEM + MAX_FILES_PER_ITEM,
  fieldSize: 16 * 1024,
  headerPairs: 100,
};

/** Fastify's multipart parts as the service takes them (also used by the sweep pages' upload form). */
export async function* uploadParts(request: FastifyRequest): AsyncGenerator<UploadPart> {
  // throwFileSizeLimit off: the service sees the cut itself (part.file.truncated) and answers 413 naming the field.
  const options = { limits: MULTIPART_LIMITS, throwFileSizeLimit: false } as Parameters<FastifyRequest['parts']>[0];
  for await (const part of request.parts(options)) {
    if (part.type === 'file') {
      // Browsers (and fetch) escape ", CR and LF in multipart file names as %22, %0D and %0A (WHATWG HTML).
      const filename = part.filename.replace(/%22/g, '"').replace(/%0[AD]/gi, '');
      yield { type: 'file', name: part.fieldname, filename, stream: part.file, truncated: () => part.file.truncated };
    } else {
      const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      refuseNulCharacter(part.fieldname, value);
      yield { type: 'field', name: part.fieldname, value, truncated: part.valueTruncated };
    }
  }
}

/** The request's Content-Length when it gives one (a chunked upload declares none: it is checked as it streams). */
export function declaredLength(request: FastifyRequest): number | undefined {
  const raw = request.headers['content-length'];
  return typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
