import { RuleViolationError } from '../common/errors/app-error';
import { CatalogProblem, formatProblem } from '../catalog/domain/catalog-model';

/** Every code the incidents module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type IncidentErrorCode =
  | 'incident.closed'
  | 'incident.cannot_close'
  | 'incident.external_key_taken'
  | 'incident.not_yours'
  | 'incident.policy_invalid'
  | 'incident.version_conflict'
  | 'incident.no_breach'
  | 'incident.no_assessment'
  | 'incident.not_applicable';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<IncidentErrorCode, true> {}
}

/** controls/incident-policy.yaml does not validate: no clock can be computed until it is fixed. */
export class IncidentPolicyInvalidError extends RuleViolationError {
  constructor(readonly problems: CatalogProblem[]) {
    super(
      'incident.policy_invalid',
      `The incident policy has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}
