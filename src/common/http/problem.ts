// Maps any thrown value to an RFC 9457 problem document. Pure: no Nest request/response objects,
// so the mapping is unit-tested on its own (problem.spec.ts).
import { HttpException, HttpStatus } from '@nestjs/common';
import { AppError, AppErrorKind, FieldProblem } from '../errors/app-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://attest.dev/problems/';
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'errors', 'instance', 'requestId']);

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldProblem[];
  [extension: string]: unknown;
}

export interface MappedProblem {
  problem: ProblemDocument;
  /** Unknown failures are logged (once, with stack) by the filter; expected ones are not. */
  unexpected: boolean;
}

const KIND_STATUS: Record<AppErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rule_violation: 422,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own request errors (body parsing and limits) that reach Nest's exception filter. */
const FASTIFY_CODES: Record<string, { status: number; code: string; detail: (e: FastifyLikeError) => string; field?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'request.malformed_json', field: 'body', detail: (e) => `The body is not valid JSON: ${e.message}` },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'request.empty_json', field: 'body', detail: () => 'The body is empty but the content type is application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'request.too_large', detail: () => 'The request body is larger than the configured limit (BODY_LIMIT_BYTES).' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'request.unsupported_media_type', detail: (e) => e.message },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'request.bad_content_length', detail: (e) => e.message },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'upload.too_large', detail: () => 'The uploaded file is larger than the configured limit (UPLOAD_LIMIT_BYTES).' },
};

interface FastifyLikeError {
  code: string;
  message: string;
  statusCode?: number;
}

function isFastifyError(e: unknown): e is FastifyLikeError {
  return typeof e === 'object' && e !== null && typeof (e as FastifyLikeError).code === 'string' && 'statusCode' in e;
}

function make(status: number, code: string, detail: string, errors: FieldProblem[] = [], extra: Record<string, unknown> = {}): ProblemDocument {
  return {
    type: TYPE_BASE + code.replace(/\./g, '/'),
    title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
    status,
    detail,
    code,
    errors,
    ...extra,
  };
}

export function problemFor(exception: unknown): MappedProblem {
  if (exception instanceof AppError) {
    const status = KIND_STATUS[exception.kind];
    return { problem: make(status, exception.code, exception.message, exception.errors), unexpected: false };
  }
  if (exception instanceof HttpException) {
    return { problem: fromHttpException(exception), unexpected: exception.getStatus() >= 500 };
  }
  if (isFastifyError(exception)) {
    const known = FASTIFY_CODES[exception.code];
    if (known) {
      const errors = known.field ? [{ field: known.field, message: known.detail(exception) }] : [];
      return { problem: make(known.status, known.code, known.detail(exception), errors), unexpected: false };
    }
    const status = exception.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return { problem: make(status, 'request.rejected', exception.message), unexpected: false };
    }
  }
  return {
    problem: make(500, 'internal', 'Something went wrong on our side. The error has been logged with this request id.'),
    unexpected: true,
  };
}

function fromHttpException(e: HttpException): ProblemDocument {
  const status = e.getStatus();
  const body = e.getResponse();
  const code = status === 404 ? 'route.not_found' : `http.${status}`;
  if (typeof body === 'string') return make(status, code, body);
  const { message, ...rest } = body as Record<string, unknown>;
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : e.message;
  // Other members (e.g. the health-check result on a 503) are kept as extension members, except
  // Nest's own `statusCode`/`error` strings and anything that would overwrite a problem member.
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (RESERVED.has(key) || key === 'statusCode' || (key === 'error' && typeof value === 'string')) continue;
    extensions[key] = value;
  }
  return make(status, code, detail, [], extensions);
}
