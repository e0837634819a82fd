/** Every code the engagements module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type EngagementErrorCode =
  | 'engagement.inactive'
  | 'engagement.revoke_forbidden'
  | 'engagement.revoked'
  | 'engagement_request.answer_forbidden'
  | 'engagement_request.answered'
  | 'engagement_request.forbidden';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<EngagementErrorCode, true> {}
}
