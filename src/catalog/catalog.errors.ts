import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from './domain/catalog-model';

/** The catalog files do not validate; nothing was synced. */
export class CatalogInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'catalog.invalid',
      `The catalog has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
