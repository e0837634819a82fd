import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from '../catalog/domain/catalog-model';

/** controls/risk-matrix.yaml does not validate: no level can be computed until it is fixed. */
export class RiskMatrixInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'risk.matrix_invalid',
      `The risk matrix has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
