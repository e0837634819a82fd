import { ConflictError, NotFoundError, RuleViolationError, type ErrorCode } from './app-error';

describe('error codes', () => {
  it('carries the code it was thrown with', () => {
    expect(new ConflictError('request.invalid', 'x').code).toBe('request.invalid');
    expect(new NotFoundError('risk', 'r-1').code).toBe('risk.not_found');
  });

  it('does not compile with a code nobody declared (checked by tsc in npm test)', () => {
    // @ts-expect-error: 'request.invalidd' is not in ErrorCodes
    const typo = new RuleViolationError('request.invalidd', 'x');
    // @ts-expect-error: a free string is not an ErrorCode either
    const free: ErrorCode = String('anything');
    expect([typo.code, free]).toEqual(['request.invalidd', 'anything']);
  });
});
