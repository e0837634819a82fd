import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from '../catalog/domain/catalog-model';

/** Every code the risk registers (and risk management plans) module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type RiskErrorCode =
  | 'risk.import_conflict'
  | 'risk.import_invalid'
  | 'risk.import_not_csv'
  | 'risk.matrix_invalid'
  | 'risk.not_yours'
  | 'risk.ref_taken'
  | 'risk.review_forbidden'
  | 'risk.version_conflict'
  | 'risk_plan.version_conflict';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<RiskErrorCode, true> {}
}

/** controls/risk-matrix.yaml does not validate: no level can be computed until it is fixed. */
export class RiskMatrixInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'risk.matrix_invalid',
      `The risk matrix has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
