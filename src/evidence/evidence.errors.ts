import { AppError, ConflictError, UnsupportedMediaTypeError } from '../common/errors/app-error';

/** Every code the evidence module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type EvidenceErrorCode =
  'evidence.already_superseded' | 'evidence.not_your_control' | 'upload.too_large' | 'upload.type_not_allowed';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<EvidenceErrorCode, true> {}
}

/** An uploaded file is over UPLOAD_LIMIT_BYTES (413, naming the field). */
export class UploadTooLargeError extends AppError {
  readonly kind = 'too_large' as const;
  constructor(limitBytes: number) {
    super(
      'upload.too_large',
      `The uploaded file is larger than the limit of ${limitBytes} bytes (UPLOAD_LIMIT_BYTES).`,
      [{ field: 'file', message: `is larger than ${limitBytes} bytes` }],
    );
  }
}

/** The bytes are an executable, an unknown binary, or a type EVIDENCE_ALLOWED_TYPES leaves out (415, naming the field). */
export class FileTypeRefusedError extends UnsupportedMediaTypeError {
  constructor(filename: string, reason: string, allowed: readonly string[]) {
    super('upload.type_not_allowed', `"${filename}" was refused: ${reason}. Allowed: ${allowed.join(', ')}.`, [
      { field: 'file', message: `${reason} (${filename})` },
    ]);
  }
}

/** A control owner attaching evidence to a control that is neither theirs nor their department's (403). */
export class NotYourControlError extends AppError {
  readonly kind = 'forbidden' as const;
  constructor(controlKey: string) {
    super(
      'evidence.not_your_control',
      `You may not attach evidence to ${controlKey}: it is owned by another person or department.`,
      [{ field: 'controls', message: `${controlKey} is not one of your controls` }],
    );
  }
}

/** The item named in `supersedes` has already been corrected: supersede the newest item instead (409). */
export class AlreadySupersededError extends ConflictError {
  constructor(id: string) {
    super(
      'evidence.already_superseded',
      `Evidence ${id} has already been superseded; supersede the newest item of the chain instead.`,
      [{ field: 'supersedes', message: 'is already superseded' }],
    );
  }
}

/** Stored bytes no longer match their SHA-256: someone changed the database behind the application. */
export class BlobCorruptError extends Error {
  constructor(sha256: string, what: string) {
    super(`blob ${sha256}: ${what}`);
    this.name = 'BlobCorruptError';
  }
}
