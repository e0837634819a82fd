import { ConflictError, RuleViolationError, ValidationError } from '../common/errors/app-error';

/** The HTTP status a refused page form is shown again with; null: not a refusal of the form (the error page). */
export function refusalStatus(e: unknown): number | null {
  if (e instanceof ValidationError) return 400;
  if (e instanceof RuleViolationError) return 422;
  if (e instanceof ConflictError) return 409;
  return null;
}
