/** Every code the findings module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type FindingErrorCode =
  | 'finding.import_invalid'
  | 'finding.import_too_large'
  | 'finding.not_open'
  | 'finding.not_fixed'
  | 'finding.signature_needs_session'
  | 'finding.wrong_password';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<FindingErrorCode, true> {}
}

export const FINDING_SIGNING_CODES = {
  needsSession: 'finding.signature_needs_session',
  wrongPassword: 'finding.wrong_password',
} as const;
