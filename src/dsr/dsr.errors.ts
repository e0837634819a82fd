/** Every code the DSR module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type DsrErrorCode =
  | 'dsr.already_erased'
  | 'dsr.bad_transition'
  | 'dsr.closed'
  | 'dsr.data_map_invalid'
  | 'dsr.grace_too_long'
  | 'dsr.hold_released'
  | 'dsr.identity_forbidden'
  | 'dsr.identity_unverified'
  | 'dsr.in_grace_period'
  | 'dsr.legal_hold'
  | 'dsr.link_expired'
  | 'dsr.not_erased'
  | 'dsr.not_exported'
  | 'dsr.nothing_scheduled'
  | 'dsr.package_removed'
  | 'dsr.rectification_not_mapped'
  | 'dsr.seed_manifest_invalid'
  | 'dsr.steps_pending'
  | 'dsr.subject_keys_missing'
  | 'dsr.system_key_taken'
  | 'dsr.task_done'
  | 'dsr.wrong_right';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<DsrErrorCode, true> {}
}
