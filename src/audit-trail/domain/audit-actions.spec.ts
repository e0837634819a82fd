import { AUDIT_ACTIONS } from './audit-actions';
import { assertValidEntry } from './audit-entry';

describe('AUDIT_ACTIONS', () => {
  it('lists each action once, sorted, and every one passes the trail’s own check', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect([...AUDIT_ACTIONS].sort()).toEqual([...AUDIT_ACTIONS]);
    for (const action of AUDIT_ACTIONS)
      expect(() => assertValidEntry({ actor: 'system:test', action, subjectType: 'Thing' })).not.toThrow();
  });
});
