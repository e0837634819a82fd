import { systemActor, type Role, type UserActor } from './actor';
import { ABILITY_ACTOR_FIELDS, ABILITY_CACHE_SIZE, abilityFor } from './ability.factory';
import { asSubject } from './subject';
import type { Action, SubjectType } from './subjects';

const ENG = 'd-eng';
const CLIN = 'd-clin';
const actor = (role: Role, id = 'u-me', departmentId: string | null = ENG): UserActor => ({
  kind: 'user',
  id,
  email: `${id}@x.test`,
  name: id,
  role,
  departmentId,
  departmentKey: departmentId,
  via: 'session',
});

describe('abilityFor: what each role may do to each subject type (route level)', () => {
  const table: [SubjectType, Action, Role[]][] = [
    ['User', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['User', 'create', ['admin']],
    ['User', 'update', ['admin']],
    ['User', 'delete', ['admin']],
    ['Department', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['ApiToken', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['ApiToken', 'create', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['ApiToken', 'delete', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['AuditLog', 'read', ['admin', 'compliance_manager']],
    ['Framework', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['Requirement', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['Control', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    ['Control', 'update', ['admin', 'compliance_manager']],
    ['Framework', 'update', ['admin', 'compliance_manager']],
    ['AuditLog', 'create', []],
    ['AuditLog', 'update', []],
    ['AuditLog', 'delete', []],
    ['Evidence', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer']],
    ['Evidence', 'create', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer']],
    ['Evidence', 'update', []],
    ['Evidence', 'delete', []],
    ['Notification', 'read', ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer']],
    [
      'Notification',
      'update',
      ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'],
    ],
    ['Notification', 'create', []],
    ['Notification', 'delete', []],
  ];
  const roles: Role[] = ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'];
  for (const [subject, action, allowed] of table) {
    for (const role of roles) {
      const expected = allowed.includes(role);
      it(`${role} ${expected ? 'may' : 'may not'} ${action} ${subject}`, () => {
        expect(abilityFor(actor(role)).can(action, subject)).toBe(expected);
      });
    }
  }
});

describe('abilityFor: rows (instance level)', () => {
  const user = (id: string, departmentId: string | null, active = true) =>
    asSubject('User', { id, departmentId, active, role: 'viewer' });
  const token = (userId: string) => asSubject('ApiToken', { id: 't1', userId });

  it.each([
    // role, row, may read?
    ['control_owner', user('u-other', ENG), true], // colleague in the same department
    ['control_owner', user('u-other', CLIN), false], // another department
    ['control_owner', user('u-other', ENG, false), false], // inactive colleague
    ['control_owner', user('u-other', null), false],
    ['control_owner', user('u-me', ENG, false), true], // themself, whatever the state
    ['privacy_officer', user('u-other', ENG), true],
    ['auditor', user('u-other', ENG), false],
    ['auditor', user('u-me', null), true],
    ['viewer', user('u-other', null), false],
    ['compliance_manager', user('u-other', CLIN, false), true],
    ['admin', user('u-other', null, false), true],
  ] as const)('%s reading %o: %s', (role, row, expected) => {
    expect(abilityFor(actor(role)).can('read', row)).toBe(expected);
  });

  it('a control owner without a department sees only themself', () => {
    const a = abilityFor(actor('control_owner', 'u-me', null));
    expect(a.can('read', user('u-other', null))).toBe(false);
    expect(a.can('read', user('u-me', null))).toBe(true);
  });

  it('only admins change users; compliance managers read them', () => {
    expect(abilityFor(actor('admin')).can('update', user('u-other', CLIN))).toBe(true);
    expect(abilityFor(actor('compliance_manager')).can('update', user('u-other', CLIN))).toBe(false);
    expect(abilityFor(actor('control_owner')).can('update', user('u-me', ENG))).toBe(false);
  });

  it('tokens are personal: everyone manages their own, only admins others’', () => {
    for (const role of ['compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'] as Role[]) {
      expect(abilityFor(actor(role)).can('delete', token('u-me'))).toBe(true);
      expect(abilityFor(actor(role)).can('read', token('u-other'))).toBe(false);
      expect(abilityFor(actor(role)).can('delete', token('u-other'))).toBe(false);
    }
    expect(abilityFor(actor('admin')).can('delete', token('u-other'))).toBe(true);
  });

  it('field rules: activity fields only for admins and compliance managers', () => {
    const row = user('u-other', ENG);
    expect(abilityFor(actor('control_owner')).can('read', row, 'lastLoginAt')).toBe(false);
    expect(abilityFor(actor('control_owner')).can('read', row, 'email')).toBe(true);
    expect(abilityFor(actor('compliance_manager')).can('read', row, 'lastLoginAt')).toBe(true);
    expect(abilityFor(actor('admin')).can('read', row, 'lastLoginAt')).toBe(true);
  });

  it('notifications are personal: every role, admins included, reads and marks only their own', () => {
    const mine = asSubject('Notification', { id: 'n1', recipientUserId: 'u-me' });
    const theirs = asSubject('Notification', { id: 'n2', recipientUserId: 'u-other' });
    for (const role of [
      'admin',
      'compliance_manager',
      'control_owner',
      'privacy_officer',
      'auditor',
      'viewer',
    ] as Role[]) {
      const a = abilityFor(actor(role));
      expect([a.can('read', mine), a.can('update', mine), a.can('delete', mine)]).toEqual([true, true, false]);
      expect([a.can('read', theirs), a.can('update', theirs)]).toEqual([false, false]);
    }
  });
});

describe('abilityFor: evidence for a control (create is checked per linked control)', () => {
  const forControl = (ownerUserId: string | null, ownerDepartment: string) =>
    asSubject('Evidence', { ownerUserId, ownerDepartment });
  it.each([
    // role, control's owner person, owner department, may attach?
    ['control_owner', 'u-me', 'clinical', true], // assigned to them, in another department
    ['control_owner', null, ENG, true], // their department's
    ['control_owner', 'u-other', ENG, true], // their department's, another person accountable
    ['control_owner', 'u-other', 'clinical', false],
    ['control_owner', null, 'clinical', false],
    ['privacy_officer', null, 'privacy', false], // department key of this actor is d-eng here
    ['compliance_manager', null, 'clinical', true],
    ['admin', 'u-other', 'clinical', true],
    ['auditor', 'u-me', ENG, false],
    ['viewer', null, ENG, false],
  ] as [Role, string | null, string, boolean][])(
    '%s, control owned by %s / %s: %s',
    (role, ownerUserId, dept, expected) => {
      expect(abilityFor(actor(role)).can('create', forControl(ownerUserId, dept))).toBe(expected);
    },
  );

  it('nobody updates or deletes evidence, whatever the row', () => {
    for (const role of ['admin', 'compliance_manager', 'control_owner'] as Role[]) {
      expect(abilityFor(actor(role)).can('update', asSubject('Evidence', { id: 'e1', submittedBy: 'u-me' }))).toBe(
        false,
      );
      expect(abilityFor(actor(role)).can('delete', asSubject('Evidence', { id: 'e1', submittedBy: 'u-me' }))).toBe(
        false,
      );
    }
  });
});

describe('abilityFor: risks (managers all; privacy officers and clinical control owners their own ISO 14971 risks)', () => {
  const clinical = (role: Role) => ({ ...actor(role), departmentKey: 'clinical', departmentId: CLIN });
  const risk = (register: string, ownerUserId: string) => asSubject('Risk', { register, ownerUserId });
  it.each([
    // actor, risk register, owner, may read/create/update?
    [actor('admin'), 'security', 'u-other', true],
    [actor('compliance_manager'), 'security', 'u-other', true],
    [clinical('control_owner'), 'iso14971', 'u-me', true],
    [clinical('control_owner'), 'iso14971', 'u-other', false],
    [clinical('control_owner'), 'security', 'u-me', false],
    [actor('control_owner'), 'iso14971', 'u-me', false], // engineering
    [actor('privacy_officer'), 'iso14971', 'u-me', true],
    [actor('privacy_officer'), 'security', 'u-me', false],
    [actor('auditor'), 'iso14971', 'u-me', false],
    [actor('viewer'), 'iso14971', 'u-me', false],
  ] as [UserActor, string, string, boolean][])('%o on a %s risk owned by %s: %s', (a, register, owner, expected) => {
    const ability = abilityFor(a);
    expect(['read', 'create', 'update'].map((action) => ability.can(action as Action, risk(register, owner)))).toEqual([
      expected,
      expected,
      expected,
    ]);
  });
  it('nobody but admins and compliance managers deletes a risk', () => {
    expect(abilityFor(clinical('control_owner')).can('delete', risk('iso14971', 'u-me'))).toBe(false);
    expect(abilityFor(actor('compliance_manager')).can('delete', risk('iso14971', 'u-me'))).toBe(true);
  });
  it('route level: the guard lets clinical control owners and privacy officers through, not engineering owners, auditors or viewers', () => {
    expect(
      [
        clinical('control_owner'),
        actor('privacy_officer'),
        actor('control_owner'),
        actor('auditor'),
        actor('viewer'),
      ].map((a) => abilityFor(a).can('read', 'Risk')),
    ).toEqual([true, true, false, false, false]);
  });
});

describe('abilityFor: risk management plans (read by ISO 14971 risk holders; written by managers and the clinical department)', () => {
  const clinical = (role: Role) => ({ ...actor(role), departmentKey: 'clinical', departmentId: CLIN });
  const plan = asSubject('RiskPlan', { product: 'Triage app' });
  it.each([
    // actor, may read, may update
    [actor('admin'), true, true],
    [actor('compliance_manager'), true, true],
    [clinical('control_owner'), true, true],
    [clinical('privacy_officer'), true, true],
    [actor('privacy_officer'), true, false],
    [actor('control_owner'), false, false], // engineering
    [actor('auditor'), false, false],
    [actor('viewer'), false, false],
  ] as [UserActor, boolean, boolean][])('%o: read %s, update %s', (a, read, update) => {
    const ability = abilityFor(a);
    expect([
      ability.can('read', plan),
      ability.can('update', plan),
      ability.can('read', 'RiskPlan'),
      ability.can('update', 'RiskPlan'),
    ]).toEqual([read, update, read, update]);
  });
});

describe('abilityFor: data subject requests (identity for privacy officers and admins only)', () => {
  const request = asSubject('DsrRequest', { id: 'r1', status: 'received' });

  it('only privacy officers and admins read the subject identity fields', () => {
    for (const role of ['admin', 'privacy_officer'] as Role[]) {
      for (const field of ['subject', 'requester', 'changes', 'verificationReference'])
        expect(abilityFor(actor(role)).can('read', request, field)).toBe(true);
    }
    const manager = abilityFor(actor('compliance_manager'));
    expect(manager.can('read', request)).toBe(true);
    expect(manager.can('read', request, 'reference')).toBe(true);
    for (const field of ['subject', 'requester', 'changes', 'verificationReference'])
      expect(manager.can('read', request, field)).toBe(false);
    for (const role of ['control_owner', 'auditor', 'viewer'] as Role[])
      expect(abilityFor(actor(role)).can('read', request)).toBe(false);
  });

  it('only privacy officers and admins execute requests and change data systems; managers may run drills', () => {
    for (const [role, may] of [
      ['admin', true],
      ['privacy_officer', true],
      ['compliance_manager', false],
      ['control_owner', false],
    ] as [Role, boolean][]) {
      expect(abilityFor(actor(role)).can('update', request)).toBe(may);
      expect(abilityFor(actor(role)).can('update', 'DataSystem')).toBe(may);
    }
    expect(abilityFor(actor('compliance_manager')).can('create', 'DsrDrill')).toBe(true);
    expect(abilityFor(actor('control_owner')).can('create', 'DsrDrill')).toBe(false);
  });

  it('manual DSR tasks: their owner, or their department when no person is named', () => {
    const owner = abilityFor(actor('control_owner', 'u-me', ENG));
    expect(owner.can('update', asSubject('DsrTask', { ownerUserId: 'u-me', ownerDepartment: CLIN }))).toBe(true);
    expect(owner.can('update', asSubject('DsrTask', { ownerUserId: null, ownerDepartment: ENG }))).toBe(true);
    expect(owner.can('update', asSubject('DsrTask', { ownerUserId: 'u-other', ownerDepartment: ENG }))).toBe(false);
    expect(owner.can('read', asSubject('DsrTask', { ownerUserId: null, ownerDepartment: CLIN }))).toBe(false);
    expect(
      abilityFor(actor('compliance_manager')).can(
        'update',
        asSubject('DsrTask', { ownerUserId: null, ownerDepartment: ENG }),
      ),
    ).toBe(false);
  });
});

describe("abilityFor: one ability per actor object (per request), kept by the actor's rule fields", () => {
  it('returns the same ability for the same actor, and a fresh one for a freshly loaded actor whose role changed', () => {
    const me = actor('control_owner');
    expect(abilityFor(me)).toBe(abilityFor(me));
    const reloaded = { ...me, role: 'viewer' as const }; // the next request loads the user again
    expect(abilityFor(reloaded)).not.toBe(abilityFor(me));
    expect(abilityFor(reloaded).can('read', 'Evidence')).toBe(false);
    expect(abilityFor(me).can('read', 'Evidence')).toBe(true);
  });

  it('the next request of the same unchanged user reuses the ability; any change to a rule field builds another', () => {
    const me = actor('control_owner', 'u-cache', ENG);
    const again = { ...me, via: 'token' as const, name: 'Renamed', email: 'renamed@x.test', sessionId: 's-2' };
    expect(abilityFor(again)).toBe(abilityFor(me));
    const moved = { ...me, departmentId: CLIN, departmentKey: 'clinical' };
    expect(abilityFor(moved)).not.toBe(abilityFor(me));
    const ownRisk = asSubject('Risk', { register: 'iso14971', ownerUserId: 'u-cache' });
    expect(abilityFor(moved).can('update', ownRisk)).toBe(true); // clinical owners hold ISO 14971 risks
    expect(abilityFor(me).can('update', ownRisk)).toBe(false);
    // Moved back: the rules of the engineering department again, at once.
    expect(abilityFor({ ...moved, departmentId: ENG, departmentKey: ENG }).can('update', ownRisk)).toBe(false);
    const other = actor('control_owner', 'u-cache-other', ENG);
    expect(abilityFor(other)).not.toBe(abilityFor(me));
    expect(abilityFor(other).can('read', asSubject('SweepTask', { ownerUserId: 'u-cache' }))).toBe(false);
  });

  it("an auditor's engagements are part of the key: a new, changed or ended engagement changes what they read at once", () => {
    const engagement = { id: 'e-1', frameworks: ['soc2'], from: '2026-01-01', to: '2026-03-31' };
    const base: UserActor = { ...actor('auditor', 'u-aud', null), engagements: [] };
    const within = asSubject('Sweep', { week: '2026-W05' });
    const open = { ...base, engagements: [{ ...engagement, expiresAt: new Date('2027-01-01'), controlIds: [] }] };
    expect(abilityFor(base).can('read', within)).toBe(false);
    expect(abilityFor(open).can('read', within)).toBe(true);
    const shorter = { ...open, engagements: [{ ...open.engagements[0], to: '2026-01-15' }] };
    expect(abilityFor(shorter).can('read', within)).toBe(false);
    expect(abilityFor({ ...base, engagements: [] }).can('read', within)).toBe(false);
  });

  it('the rules read no actor field but ABILITY_ACTOR_FIELDS (what the cache is keyed by)', () => {
    const roles: Role[] = ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'];
    const read = new Set<string>();
    for (const [i, role] of roles.entries()) {
      for (const department of [ENG, 'clinical', null]) {
        const engagements = [
          {
            id: 'e',
            frameworks: ['soc2', 'pdpa', 'iso14971'],
            from: '2026-01-01',
            to: '2026-02-01',
            expiresAt: new Date(),
            controlIds: ['c'],
          },
        ];
        const fresh = { ...actor(role, `u-fields-${i}-${department}`, department), engagements };
        abilityFor(new Proxy(fresh, { get: (target, field) => (read.add(String(field)), Reflect.get(target, field)) }));
      }
    }
    expect([...read].filter((f) => f !== 'kind').sort()).toEqual([...ABILITY_ACTOR_FIELDS].sort());
  });

  it('keeps at most ABILITY_CACHE_SIZE abilities, and an evicted one is built again with the same rules', () => {
    const first = actor('control_owner', 'u-evicted');
    const ability = abilityFor(first);
    for (let i = 0; i < ABILITY_CACHE_SIZE; i++) abilityFor(actor('viewer', `u-filler-${i}`));
    const again = abilityFor({ ...first });
    expect(again).not.toBe(ability);
    expect(again.rules).toEqual(ability.rules);
  });
});

describe('abilityFor: the system actor (CLI, jobs, seed)', () => {
  const system = abilityFor(systemActor('job:test'));

  it.each<[Action, SubjectType]>([
    ['create', 'AuditPack'],
    ['read', 'AuditPack'],
    ['create', 'Engagement'],
    ['read', 'DsrRequest'],
    ['update', 'Risk'],
    ['create', 'Evidence'],
  ])('may %s %s, on every row', (action, type) => {
    expect(system.can(action, type)).toBe(true);
    expect(system.can(action, asSubject(type, { ownerUserId: 'someone-else', register: 'iso14971' }))).toBe(true);
  });

  it('reads every field of a DSR (the erasure job needs the subject)', () => {
    expect(system.can('read', asSubject('DsrRequest', {}), 'subject')).toBe(true);
  });

  it.each<[Action, SubjectType]>([
    ['update', 'Evidence'],
    ['delete', 'Evidence'],
    ['create', 'AuditLog'],
    ['update', 'AuditLog'],
    ['delete', 'AuditLog'],
  ])('may not %s %s (immutable for everyone)', (action, type) => {
    expect(system.can(action, type)).toBe(false);
  });
});
