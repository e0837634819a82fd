/** Every code the identity (sign-in, users, API tokens) module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type IdentityErrorCode =
  | 'api_token.created_by_token'
  | 'api_token.revoke_forbidden'
  | 'auth.invalid_credentials'
  | 'auth.invalid_token'
  | 'auth.password_change_needs_session'
  | 'csrf.invalid_token'
  | 'user.email_taken'
  | 'user.last_admin'
  | 'user.update_forbidden';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<IdentityErrorCode, true> {}
}
