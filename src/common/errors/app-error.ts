// Coded errors thrown by domain and service code. The global problem-details filter maps them to HTTP.
// Kinds (see docs/architecture.md): validation 400, unauthenticated 401, forbidden 403, invisible row 404,
// conflict 409, too large 413, unsupported media type 415, rule violation 422.

export interface FieldProblem {
  field: string;
  message: string;
}

export type AppErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rule_violation'
  | 'storage_full';

/**
 * Every error code the app answers with (problem+json `code`). The codes below are the request's and
 * authentication's own; each capability declares its codes into this interface from its `*.errors.ts`
 * (declaration merging: common/ knows no capability), so a mistyped code in a throw does not compile.
 */
export interface ErrorCodes {
  'request.invalid': true;
  'request.too_large': true;
  'request.unsupported_media_type': true;
  'request.cross_origin': true;
  'request.empty_json': true;
  'request.malformed_json': true;
  'request.json_too_deep': true;
  'request.nul_character': true;
  'request.invalid_unicode': true;
  'auth.required': true;
  'auth.forbidden': true;
  'auth.no_policy': true;
  'storage.full': true;
}
/** A known code, or `<entity>.not_found` (NotFoundError). */
export type ErrorCode = keyof ErrorCodes | `${string}.not_found`;

export abstract class AppError extends Error {
  abstract readonly kind: AppErrorKind;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly kind = 'validation' as const;
  constructor(errors: FieldProblem[], message = describeFields(errors), code: ErrorCode = 'request.invalid') {
    super(code, message, errors);
  }
}

export class UnauthenticatedError extends AppError {
  readonly kind = 'unauthenticated' as const;
  constructor(message = 'Authentication is required.', code: ErrorCode = 'auth.required') {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  readonly kind = 'forbidden' as const;
  constructor(message = 'You are not allowed to do this.', code: ErrorCode = 'auth.forbidden') {
    super(code, message);
  }
}

export class NotFoundError extends AppError {
  readonly kind = 'not_found' as const;
  constructor(
    readonly entity: string,
    readonly id?: string,
  ) {
    super(`${entity}.not_found`, id === undefined ? `No such ${entity}.` : `No ${entity} with id ${id}.`);
  }
}

export class ConflictError extends AppError {
  readonly kind = 'conflict' as const;
}

export class RuleViolationError extends AppError {
  readonly kind = 'rule_violation' as const;
}

export class TooLargeError extends AppError {
  readonly kind = 'too_large' as const;
  constructor(limitBytes: number, code: ErrorCode = 'request.too_large') {
    super(code, `The request is larger than the limit of ${limitBytes} bytes.`);
  }
}

/** Content of a type the endpoint does not take (an upload's sniffed type); `errors` name the field. */
export class UnsupportedMediaTypeError extends AppError {
  readonly kind = 'unsupported_media_type' as const;
}

function describeFields(errors: FieldProblem[]): string {
  if (errors.length === 0) return 'The request is not valid.';
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** Not enough storage for what the request would write, known before writing any of it (507, Retry-After). */
export class StorageFullError extends AppError {
  readonly kind = 'storage_full' as const;
  constructor(message: string, errors: FieldProblem[] = []) {
    super('storage.full', message, errors);
  }
}
