// Maps any thrown value to an RFC 9457 problem document. Pure: no Nest request/response objects,
// so the mapping is unit-tested on its own (problem.spec.ts).
import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
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
  /** Sent as Retry-After: the failure is the server's, passing, and the same request may be sent again. */
  retryAfterSeconds?: number;
}

/** How long a client waits before retrying when the database or the disk is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

const KIND_STATUS: Record<AppErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rule_violation: 422,
  storage_full: 507,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

/** Codes for HTTP errors raised outside our code (routing, Fastify's limits, which Nest wraps as HttpException). */
const STATUS_CODES: Record<number, string> = {
  404: 'route.not_found',
  405: 'route.method_not_allowed',
  413: 'request.too_large',
  415: 'request.unsupported_media_type',
  429: 'request.rate_limited',
};

/**
 * Fastify errors that reach the filter unwrapped: those raised while a handler reads a multipart upload
 * (errors raised before the handler, e.g. body limits, arrive as HttpException; see STATUS_CODES).
 */
const FASTIFY_CODES: Record<string, { status: number; code: string; detail: string }> = {
  FST_REQ_FILE_TOO_LARGE: {
    status: 413,
    code: 'upload.too_large',
    detail: 'The uploaded file is larger than the configured limit (UPLOAD_LIMIT_BYTES).',
  },
  FST_FILES_LIMIT: { status: 413, code: 'upload.too_many_files', detail: 'Too many files in one request.' },
  FST_PARTS_LIMIT: { status: 413, code: 'upload.too_many_parts', detail: 'Too many parts in one multipart request.' },
  // Raised by the router before any route (src/common/http/framework-errors.ts answers them).
  FST_ERR_BAD_URL: { status: 400, code: 'request.bad_url', detail: 'The URL cannot be decoded.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'request.path_too_long',
    detail: 'A part of the URL path is longer than any id or key this API takes.',
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'upload.not_multipart',
    detail: 'The request is not multipart/form-data.',
  },
};

interface FastifyLikeError {
  code: string;
  message: string;
  statusCode?: number;
}

function isFastifyError(e: unknown): e is FastifyLikeError {
  return typeof e === 'object' && e !== null && typeof (e as FastifyLikeError).code === 'string' && 'statusCode' in e;
}

/** Structural: the DSR key ring's KeyRingError with code crypto.key_unknown (common/ does not import dsr/). */
function isUnknownKeyError(e: unknown): e is Error & { code: 'crypto.key_unknown'; keyId: string } {
  return (
    e instanceof Error &&
    (e as { code?: unknown }).code === 'crypto.key_unknown' &&
    typeof (e as { keyId?: unknown }).keyId === 'string'
  );
}

/** PostgreSQL SQLSTATEs and Node errno codes: the database cannot be reached or is shutting down. */
const DATABASE_UNAVAILABLE = new Set([
  'ECONNREFUSED', // the request path opens no other connection (connectors wrap their own errors)
  // A connection reset: PostgreSQL crashing or restarting under a new or pooled connection (seen when it
  // PANICs for want of WAL space: test/e2e/disk-full). A client aborting its upload raises them too, but
  // then nobody reads the answer; the log keeps the error itself either way.
  'ECONNRESET',
  'EPIPE',
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or in recovery
]);
/** Full disk or quota: PostgreSQL's disk_full, Node's ENOSPC and EDQUOT. */
const STORAGE_FULL = new Set(['53100', 'ENOSPC', 'EDQUOT']);

/** The error's code, or its driver error's (TypeORM wraps query errors as QueryFailedError). */
function errorCode(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const own = (e as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const driver = (e as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driver === 'string' ? driver : null;
}

/**
 * Connection class 08 (connection_exception), a listed code, pg-pool losing the connection under a query, or
 * TypeORM refusing the next query (or the COMMIT) of a transaction whose connection PostgreSQL ended: the pg
 * client's 'error' event releases the query runner, so the 57P01 never reaches the request, only these
 * (test/integration/connection-lost-in-transaction; seen by bench/soak.sh). Nothing was committed then.
 */
function isDatabaseUnavailable(e: unknown): boolean {
  if (e instanceof QueryRunnerAlreadyReleasedError || e instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const code = errorCode(e);
  if (code !== null && (DATABASE_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  const message = e instanceof Error ? e.message : '';
  return /^Connection terminated( unexpectedly| due to connection timeout)?$|^timeout exceeded when trying to connect$/.test(
    message,
  );
}

function make(
  status: number,
  code: string,
  detail: string,
  errors: FieldProblem[] = [],
  extra: Record<string, unknown> = {},
): ProblemDocument {
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

/** A problem document for an answer given outside the exception filter (framework-errors.ts). */
export const problemDocument = (status: number, code: string, detail: string): ProblemDocument =>
  make(status, code, detail);

export function problemFor(exception: unknown): MappedProblem {
  if (exception instanceof AppError) {
    const status = KIND_STATUS[exception.kind];
    const problem = make(status, exception.code, exception.message, exception.errors);
    // Refused for want of space before anything was written: not a fault, but worth retrying later.
    if (exception.kind === 'storage_full')
      return { problem, unexpected: false, retryAfterSeconds: RETRY_AFTER_SECONDS };
    return { problem, unexpected: false };
  }
  if (exception instanceof HttpException) {
    return { problem: fromHttpException(exception), unexpected: exception.getStatus() >= 500 };
  }
  if (isUnknownKeyError(exception)) {
    // Data made with a key this instance does not hold (instances configured with different key sets, or
    // an old key dropped): a fault of this server's configuration, not of the request, and not a crash.
    return {
      problem: make(
        503,
        'crypto.key_unknown',
        `This record was encrypted or signed with key ${exception.keyId}, which this server does not have; give every instance the same keys (see "Running several instances" in the README).`,
        [],
        { keyId: exception.keyId },
      ),
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      problem: make(
        503,
        'database.unavailable',
        'The database cannot be reached right now; nothing was changed by this request unless it says otherwise. Try again shortly.',
      ),
      unexpected: true,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    };
  }
  const code = errorCode(exception);
  if (code !== null && STORAGE_FULL.has(code)) {
    return {
      problem: make(
        507,
        'storage.full',
        'The server has run out of storage space; nothing of this request was stored. Try again once space has been freed.',
      ),
      unexpected: true,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    };
  }
  if (isFastifyError(exception)) {
    const known = FASTIFY_CODES[exception.code];
    if (known) return { problem: make(known.status, known.code, known.detail), unexpected: false };
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
  const code = STATUS_CODES[status] ?? `http.${status}`;
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
