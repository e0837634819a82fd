/** Every code the keys module answers with (problem+json `code`), beside `key.not_found`. */
export type KeyErrorCode = 'key.name_taken' | 'key.owner_invalid' | 'key.unknown_department';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<KeyErrorCode, true> {}
}
