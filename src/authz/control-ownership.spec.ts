import { ROLES } from './actor';
import { mayOwnControls } from './control-ownership';

describe('mayOwnControls: only those who may complete sweep tasks own controls', () => {
  const person = (role: (typeof ROLES)[number]) => ({
    id: '00000000-0000-4000-8000-000000000001',
    role,
    departmentId: null,
    departmentKey: role === 'control_owner' ? 'engineering' : null,
  });

  it.each([
    ['admin', true],
    ['compliance_manager', true],
    ['control_owner', true],
    ['privacy_officer', true],
    ['auditor', false],
    ['viewer', false],
  ] as const)('%s: %s', (role, may) => {
    expect(mayOwnControls(person(role))).toBe(may);
  });

  it('an auditor never, whatever department they are put in', () => {
    expect(mayOwnControls({ ...person('auditor'), departmentKey: 'compliance' })).toBe(false);
  });

  it('covers every role', () => {
    expect(ROLES.filter((r) => mayOwnControls(person(r))).sort()).toEqual([
      'admin',
      'compliance_manager',
      'control_owner',
      'privacy_officer',
    ]);
  });
});
