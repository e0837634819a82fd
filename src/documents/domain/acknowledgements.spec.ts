import {
  acknowledgementBasis,
  acknowledgementDueAt,
  acknowledgementState,
  inAudience,
  reminderDue,
  rosterCsv,
  type Audience,
  type Person,
} from './acknowledgements';

describe('inAudience', () => {
  const engineer: Person = { role: 'control_owner', departmentKey: 'engineering', active: true };
  const viewer: Person = { role: 'viewer', departmentKey: null, active: true };
  const auditor: Person = { role: 'auditor', departmentKey: null, active: true };
  const everyone: Audience = { everyone: true, roles: [], departments: [] };
  const roles: Audience = { everyone: false, roles: ['viewer'], departments: [] };
  const depts: Audience = { everyone: false, roles: [], departments: ['engineering'] };
  const nobody: Audience = { everyone: false, roles: [], departments: [] };
  const cases: [string, Person, Audience, boolean][] = [
    ['everyone: an employee', engineer, everyone, true],
    ['everyone: a viewer', viewer, everyone, true],
    ['everyone: not an external auditor', auditor, everyone, false],
    ['everyone: not a deactivated user', { ...engineer, active: false }, everyone, false],
    ['a named role', viewer, roles, true],
    ['another role', engineer, roles, false],
    ['a named department', engineer, depts, true],
    ['no department', viewer, depts, false],
    ['another department', { ...engineer, departmentKey: 'clinical' }, depts, false],
    ['a named role, deactivated', { ...viewer, active: false }, roles, false],
    ['an auditor named by role', auditor, { ...nobody, roles: ['auditor'] }, true],
    ['nobody named', engineer, nobody, false],
  ];
  it.each(cases)('%s', (_, p, a, expected) => expect(inAudience(p, a)).toBe(expected));
});

describe('acknowledgementDueAt: 23:59 Asia/Bangkok (UTC+7) on the last day', () => {
  const cases: [string, string, number, string][] = [
    ['midday Bangkok', '2026-12-07T05:00:00Z', 14, '2026-12-21T16:59:00.000Z'],
    ['00:30 Bangkok is already the next local day', '2026-12-07T17:30:00Z', 14, '2026-12-22T16:59:00.000Z'],
    ['23:59 Bangkok is still the same local day', '2026-12-07T16:59:59Z', 14, '2026-12-21T16:59:00.000Z'],
    ['across the year end', '2026-12-25T03:00:00Z', 14, '2027-01-08T16:59:00.000Z'],
    ['across the end of February', '2028-02-20T03:00:00Z', 14, '2028-03-05T16:59:00.000Z'],
    ['a one-day type', '2026-12-07T05:00:00Z', 1, '2026-12-08T16:59:00.000Z'],
  ];
  it.each(cases)('%s', (_, from, days, due) =>
    expect(acknowledgementDueAt(new Date(from), days).toISOString()).toBe(due),
  );
});

describe('acknowledgementState and reminderDue', () => {
  const dueAt = new Date('2026-12-21T16:59:00Z');
  const pending = { acknowledgedAt: null, dueAt };
  const at = (iso: string) => new Date(iso);
  it('is pending up to and at the due time, overdue strictly after it', () => {
    expect(acknowledgementState(pending, at('2026-12-21T16:58:59Z'))).toBe('pending');
    expect(acknowledgementState(pending, dueAt)).toBe('pending');
    expect(acknowledgementState(pending, at('2026-12-21T16:59:00.001Z'))).toBe('overdue');
  });
  it('is acknowledged once acknowledged, late or not', () => {
    expect(
      acknowledgementState({ acknowledgedAt: at('2026-12-30T00:00:00Z'), dueAt }, at('2027-01-05T00:00:00Z')),
    ).toBe('acknowledged');
  });
  it('reminds from three days before the due time until it, never once acknowledged', () => {
    expect(reminderDue(pending, at('2026-12-18T16:58:59Z'))).toBe(false);
    expect(reminderDue(pending, at('2026-12-18T16:59:00Z'))).toBe(true);
    expect(reminderDue(pending, dueAt)).toBe(true);
    expect(reminderDue(pending, at('2026-12-21T17:00:00Z'))).toBe(false);
    expect(reminderDue({ acknowledgedAt: at('2026-12-19T00:00:00Z'), dueAt }, at('2026-12-20T00:00:00Z'))).toBe(false);
  });
});

describe('acknowledgementBasis: the newest material version ever published', () => {
  const v = (number: number, material: boolean, published: boolean) => ({
    number,
    material,
    publishedAt: published ? new Date('2026-01-01T00:00:00Z') : null,
  });
  it.each([
    ['none published', [v(1, true, false)], null],
    ['only non-material ones published', [v(1, false, true)], null],
    ['a material one', [v(1, true, true)], 1],
    ['a later non-material one keeps the basis', [v(1, true, true), v(2, false, true)], 1],
    ['a later material one moves it', [v(1, true, true), v(2, false, true), v(3, true, true)], 3],
    ['an unpublished material draft does not count', [v(1, true, true), v(2, true, false)], 1],
  ] as const)('%s', (_, versions, basis) => expect(acknowledgementBasis(versions)).toBe(basis));
});

describe('rosterCsv', () => {
  it('writes a header and one line a person, formula-like cells guarded', () => {
    const csv = rosterCsv([
      {
        name: '=HYPERLINK("http://evil")',
        email: 'a@x.test',
        department: 'engineering',
        role: 'control_owner',
        status: 'acknowledged',
        version: 2,
        sha256: 'ab'.repeat(32),
        dueAt: new Date('2026-12-21T16:59:00Z'),
        acknowledgedAt: new Date('2026-12-10T03:00:00Z'),
      },
      {
        name: 'สมชาย ใจดี',
        email: 'b@x.test',
        department: null,
        role: 'viewer',
        status: 'pending',
        version: null,
        sha256: null,
        dueAt: null,
        acknowledgedAt: null,
      },
    ]);
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('name,email,department,role,status,version,sha256,due_at,acknowledged_at');
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://evil"")",a@x.test,engineering,control_owner,acknowledged,2,${'ab'.repeat(32)},2026-12-21T16:59:00.000Z,2026-12-10T03:00:00.000Z`,
    );
    expect(lines[2]).toBe('สมชาย ใจดี,b@x.test,,viewer,pending,,,,');
  });
});
