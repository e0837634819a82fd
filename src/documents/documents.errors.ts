import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from '../catalog/domain/catalog-model';

/** Every code the documents module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type DocumentErrorCode =
  | 'document.key_taken'
  | 'document.not_yours'
  | 'document.open_version_exists'
  | 'document.version_frozen'
  | 'document.wrong_status'
  | 'document.not_an_approver'
  | 'document.already_signed'
  | 'document.wrong_password'
  | 'document.signature_needs_session'
  | 'document.types_invalid'
  | 'document.acknowledgement_superseded'
  | 'document.acknowledgement_cancelled'
  | 'document.roster_not_yours';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<DocumentErrorCode, true> {}
}

/** controls/document-types.yaml does not validate: no version can be submitted or signed until it is fixed. */
export class DocumentTypesInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'document.types_invalid',
      `The document types have ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
