import { ConflictError, RuleViolationError } from '../common/errors/app-error';

/** Every code the audit trail module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type AuditTrailErrorCode = 'audit_trail.inconsistent' | 'audit_trail.signing_key_unavailable';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<AuditTrailErrorCode, true> {}
}

/** The checkpoint signing key cannot be read or created. */
export class SigningKeyUnavailableError extends RuleViolationError {
  constructor(detail: string) {
    super('audit_trail.signing_key_unavailable', `The audit-trail signing key is not usable: ${detail}`);
  }
}

/**
 * The log no longer agrees with the newest signed checkpoint: signing a new one would bless the change
 * (C2SP: a log must never sign a checkpoint inconsistent with one it signed before).
 */
export class CheckpointInconsistentError extends ConflictError {
  constructor(
    readonly brokenAtSeq: number,
    reason: string,
  ) {
    super(
      'audit_trail.inconsistent',
      `No checkpoint written: the audit trail is broken at entry ${brokenAtSeq}: ${reason}. Run "attest trail verify".`,
    );
  }
}
