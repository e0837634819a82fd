import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from '../catalog/domain/catalog-model';

/** Every code the releases module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type ReleaseErrorCode =
  | 'release.gates_invalid'
  | 'release.unknown_product'
  | 'release.commit_differs'
  | 'release.attachment_invalid'
  | 'release.attachment_too_large'
  | 'release.unknown_gate'
  | 'release.not_a_signer'
  | 'release.already_signed'
  | 'release.report_missing'
  | 'release.report_changed'
  | 'release.signature_needs_session'
  | 'release.wrong_password';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<ReleaseErrorCode, true> {}
}

/** controls/release-gates.yaml does not validate: no gate can be computed until it is fixed. */
export class ReleaseGatesInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'release.gates_invalid',
      `The release gates file has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
