/** Every code the sweeps module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type SweepErrorCode = 'sweep.closed' | 'sweep_task.done' | 'sweep_task.forbidden';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<SweepErrorCode, true> {}
}
