/** Every code the pages module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type WebErrorCode = 'form.already_submitted' | 'list.too_long_for_csv';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<WebErrorCode, true> {}
}
