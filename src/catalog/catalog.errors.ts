import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from './domain/catalog-model';

/** Every code the catalog module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type CatalogErrorCode = 'catalog.invalid' | 'control.assign_forbidden' | 'control.owner_not_eligible';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<CatalogErrorCode, true> {}
}

/** The catalog files do not validate; nothing was synced. */
export class CatalogInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'catalog.invalid',
      `The catalog has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
