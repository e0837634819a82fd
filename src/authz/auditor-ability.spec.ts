import type { ActorEngagement, UserActor } from './actor';
import { abilityFor, DSR_IDENTITY_FIELDS } from './ability.factory';
import { asSubject } from './subject';
import type { Action, SubjectType } from './subjects';

const IN_SCOPE = 'c-soc2';
const OTHER = 'c-iso';
const soc2: ActorEngagement = {
  id: 'e-1',
  frameworks: ['soc2'],
  from: '2026-01-01',
  to: '2026-06-30',
  expiresAt: new Date('2027-01-01T00:00:00Z'),
  controlIds: [IN_SCOPE],
};
const auditor = (engagements?: ActorEngagement[]): UserActor => ({
  kind: 'user',
  id: 'u-aud',
  email: 'a@x.test',
  name: 'a',
  role: 'auditor',
  departmentId: null,
  departmentKey: null,
  via: 'session',
  engagements,
});

describe('auditor ability: route level, with and without an active engagement', () => {
  const table: [Action, SubjectType, boolean, boolean][] = [
    // action, subject, without engagement, with one
    ['read', 'Framework', true, true],
    ['read', 'Requirement', true, true],
    ['read', 'Control', true, true],
    ['read', 'Engagement', true, true],
    ['read', 'Evidence', false, true],
    ['read', 'Sweep', false, true],
    ['read', 'Posture', false, true],
    ['read', 'Risk', false, true],
    ['read', 'DsrDrill', false, true],
    ['read', 'DsrRequest', false, true],
    ['read', 'AuditPack', false, true],
    ['create', 'AuditPack', false, true],
    ['read', 'EngagementRequest', false, true],
    ['create', 'EngagementRequest', false, true],
    // tasks of a sweep: those of the controls in scope (rows below)
    ['read', 'SweepTask', false, true],
    ['read', 'RiskVersion', false, true],
    ['read', 'RiskReview', false, true],
    // never: writes, and what is outside the engagement's list
    ['read', 'DsrTask', false, false],
    ['read', 'DataSystem', false, false],
    ['read', 'RiskPlan', false, false],
    ['read', 'AuditLog', false, false],
    ['read', 'User', true, true], // themself only (rows)
    ['create', 'Evidence', false, false],
    ['update', 'Evidence', false, false],
    ['update', 'SweepTask', false, false],
    ['update', 'Sweep', false, false],
    ['create', 'Sweep', false, false],
    ['create', 'Risk', false, false],
    ['update', 'Risk', false, false],
    ['update', 'RiskPlan', false, false],
    ['create', 'DsrRequest', false, false],
    ['update', 'DsrRequest', false, false],
    ['create', 'DsrDrill', false, false],
    ['update', 'Control', false, false],
    ['create', 'Engagement', false, false],
    ['update', 'Engagement', false, false],
    ['update', 'EngagementRequest', false, false],
    ['update', 'AuditPack', false, false],
    ['delete', 'AuditPack', false, false],
  ];
  it.each(table)('%s %s: %s without an engagement, %s with one', (action, subject, without, withOne) => {
    expect(abilityFor(auditor()).can(action, subject)).toBe(without);
    expect(abilityFor(auditor([])).can(action, subject)).toBe(without);
    expect(abilityFor(auditor([soc2])).can(action, subject)).toBe(withOne);
  });
});

describe('auditor ability: rows', () => {
  const a = abilityFor(auditor([soc2]));
  const evidence = (evidenceDate: string, controlIds: string[] | null = [IN_SCOPE]) =>
    asSubject('Evidence', {
      evidenceDate: new Date(evidenceDate),
      periodStart: '2026-01-01',
      periodEnd: '2026-01-07',
      ...(controlIds ? { controlIds } : {}),
    });

  it.each([
    ['first instant of the period (00:00 Bangkok)', evidence('2026-01-01T00:00:00+07:00'), true],
    ['last instant of the period', evidence('2026-06-30T23:59:59.999+07:00'), true],
    ['just before the period', evidence('2025-12-31T23:59:59.999+07:00'), false],
    ['the day after the period', evidence('2026-07-01T00:00:00+07:00'), false],
    ['inside, but only for a control outside the frameworks', evidence('2026-03-01T00:00:00+07:00', [OTHER]), false],
    ['inside, serving controls in and out of scope', evidence('2026-03-01T00:00:00+07:00', [OTHER, IN_SCOPE]), true],
    ['a row checked without its controls (fails closed)', evidence('2026-03-01T00:00:00+07:00', null), false],
  ] as const)('evidence %s: %s', (_, row, expected) => {
    expect(a.can('read', row)).toBe(expected);
  });

  it('reads the DSR register without subject identity, in every field', () => {
    const row = asSubject('DsrRequest', {
      id: 'r1',
      isDrill: false,
      receivedAt: new Date('2026-03-01T10:00:00+07:00'),
    });
    expect(a.can('read', row)).toBe(true);
    for (const f of DSR_IDENTITY_FIELDS) expect(a.can('read', row, f)).toBe(false);
    expect(a.can('read', 'DsrRequest', 'subject')).toBe(false);
  });

  it('packs: reads and asks for those whose scope lies inside the engagement', () => {
    const pack = (framework: string, periodFrom: string, periodTo: string, engagementId: string | null = 'e-1') =>
      asSubject('AuditPack', { framework, periodFrom, periodTo, engagementId });
    expect(a.can('read', pack('soc2', '2026-01-01', '2026-06-30', null))).toBe(true); // started by someone else
    expect(a.can('read', pack('soc2', '2026-02-01', '2026-03-31'))).toBe(true);
    expect(a.can('read', pack('soc2', '2025-12-31', '2026-06-30'))).toBe(false);
    expect(a.can('read', pack('iso27001', '2026-01-01', '2026-06-30'))).toBe(false);
    expect(a.can('create', pack('soc2', '2026-01-01', '2026-06-30'))).toBe(true);
    expect(a.can('create', pack('soc2', '2026-01-01', '2026-07-01'))).toBe(false);
    expect(a.can('create', pack('soc2', '2026-01-01', '2026-06-30', 'e-other'))).toBe(false);
  });

  it('engagements: their own always; requests only in an active engagement', () => {
    expect(abilityFor(auditor()).can('read', asSubject('Engagement', { auditorUserId: 'u-aud' }))).toBe(true);
    expect(a.can('read', asSubject('Engagement', { auditorUserId: 'u-other' }))).toBe(false);
    expect(a.can('create', asSubject('EngagementRequest', { engagementId: 'e-1' }))).toBe(true);
    expect(a.can('create', asSubject('EngagementRequest', { engagementId: 'e-2' }))).toBe(false);
    expect(a.can('read', asSubject('EngagementRequest', { engagementId: 'e-2' }))).toBe(false);
  });

  it('two engagements: each opens its own period and frameworks, not their cross product', () => {
    const iso: ActorEngagement = {
      id: 'e-2',
      frameworks: ['iso27001'],
      from: '2025-01-01',
      to: '2025-12-31',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
      controlIds: [OTHER],
    };
    const both = abilityFor(auditor([soc2, iso]));
    expect(both.can('read', evidence('2026-03-01T00:00:00+07:00', [IN_SCOPE]))).toBe(true);
    expect(both.can('read', evidence('2025-03-01T00:00:00+07:00', [OTHER]))).toBe(true);
    expect(both.can('read', evidence('2025-03-01T00:00:00+07:00', [IN_SCOPE]))).toBe(false);
    expect(both.can('read', evidence('2026-03-01T00:00:00+07:00', [OTHER]))).toBe(false);
    expect(both.can('read', asSubject('SweepTask', { controlId: OTHER, week: '2025-W20' }))).toBe(true);
    expect(both.can('read', asSubject('SweepTask', { controlId: OTHER, week: '2026-W20' }))).toBe(false);
    expect(both.can('read', asSubject('Sweep', { week: '2025-W20' }))).toBe(true);
  });

  // soc2 runs 2026-01-01 (a Thursday: ISO week 2026-W01) to 2026-06-30 (a Tuesday: 2026-W27).
  const at = (iso: string) => new Date(iso);
  it.each([
    ['the sweep of the week holding the first day', asSubject('Sweep', { week: '2026-W01' }), true],
    ['the sweep of the week holding the last day', asSubject('Sweep', { week: '2026-W27' }), true],
    ['the sweep of the week before', asSubject('Sweep', { week: '2025-W52' }), false],
    ['the sweep of the week after', asSubject('Sweep', { week: '2026-W28' }), false],
    [
      'a task of a control in scope, in a sweep of the period',
      asSubject('SweepTask', { controlId: IN_SCOPE, week: '2026-W10' }),
      true,
    ],
    [
      'a task of a control outside the frameworks',
      asSubject('SweepTask', { controlId: OTHER, week: '2026-W10' }),
      false,
    ],
    [
      'a task of a control in scope, in a sweep after the period',
      asSubject('SweepTask', { controlId: IN_SCOPE, week: '2026-W30' }),
      false,
    ],
    ['a task checked without its week (fails closed)', asSubject('SweepTask', { controlId: IN_SCOPE }), false],
    ['posture of SOC 2', asSubject('Posture', { framework: 'soc2' }), true],
    ['posture of PDPA', asSubject('Posture', { framework: 'pdpa' }), false],
    [
      'a security risk created within the period',
      asSubject('Risk', { register: 'security', createdAt: at('2026-06-30T23:59:59+07:00') }),
      true,
    ],
    [
      'a security risk created before the period (it existed during it)',
      asSubject('Risk', { register: 'security', createdAt: at('2024-01-01T00:00:00Z') }),
      true,
    ],
    [
      'a security risk created after the period',
      asSubject('Risk', { register: 'security', createdAt: at('2026-07-01T00:00:00+07:00') }),
      false,
    ],
    [
      'an ISO 14971 risk (not SOC 2)',
      asSubject('Risk', { register: 'iso14971', createdAt: at('2026-03-01T00:00:00Z') }),
      false,
    ],
    [
      'a security risk version dated before the end',
      asSubject('RiskVersion', { register: 'security', at: at('2026-06-30T23:59:59+07:00') }),
      true,
    ],
    [
      'a security risk version dated after the end',
      asSubject('RiskVersion', { register: 'security', at: at('2026-07-01T00:00:00+07:00') }),
      false,
    ],
    [
      'a security review within the period',
      asSubject('RiskReview', { register: 'security', reviewedAt: at('2026-03-31T12:00:00+07:00') }),
      true,
    ],
    [
      'a security review before the period',
      asSubject('RiskReview', { register: 'security', reviewedAt: at('2025-12-31T12:00:00+07:00') }),
      false,
    ],
    [
      'a DSR received within the period',
      asSubject('DsrRequest', { receivedAt: at('2026-01-01T00:00:00+07:00') }),
      true,
    ],
    ['a DSR received the day after', asSubject('DsrRequest', { receivedAt: at('2026-07-01T00:00:00+07:00') }), false],
    ['a drill run within the period', asSubject('DsrDrill', { startedAt: at('2026-06-30T23:00:00+07:00') }), true],
    ['a drill run before the period', asSubject('DsrDrill', { startedAt: at('2025-12-31T23:59:59+07:00') }), false],
  ] as const)('%s: %s', (_, row, expected) => {
    expect(a.can('read', row)).toBe(expected);
  });

  it('frameworks decide the registers and the DSRs: ISO 14971 opens the hazard file only, PDPA the DSRs only', () => {
    const period = {
      from: '2026-01-01',
      to: '2026-06-30',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
      controlIds: [OTHER],
    };
    const iso = abilityFor(auditor([{ id: 'e-iso', frameworks: ['iso14971'], ...period }]));
    const pdpa = abilityFor(auditor([{ id: 'e-pdpa', frameworks: ['pdpa'], ...period }]));
    const inside = at('2026-03-01T00:00:00Z');
    expect(iso.can('read', asSubject('Risk', { register: 'iso14971', createdAt: inside }))).toBe(true);
    expect(iso.can('read', asSubject('Risk', { register: 'security', createdAt: inside }))).toBe(false);
    expect(iso.can('read', asSubject('DsrRequest', { receivedAt: inside }))).toBe(false);
    expect(iso.can('read', asSubject('DsrDrill', { startedAt: inside }))).toBe(false);
    expect(pdpa.can('read', asSubject('DsrRequest', { receivedAt: inside }))).toBe(true);
    expect(pdpa.can('read', asSubject('DsrDrill', { startedAt: inside }))).toBe(true);
    expect(pdpa.can('read', 'Risk')).toBe(false);
  });

  it('other roles ignore engagements (only auditors carry them)', () => {
    const viewer: UserActor = { ...auditor([soc2]), role: 'viewer' };
    expect(abilityFor(viewer).can('read', 'Evidence')).toBe(false);
  });
});

describe('compliance managers and engagements', () => {
  const cm: UserActor = {
    kind: 'user',
    id: 'u-cm',
    email: 'c@x.test',
    name: 'c',
    role: 'compliance_manager',
    departmentId: null,
    departmentKey: null,
    via: 'session',
  };
  it('open, read and revoke engagements, read and answer requests, but raise none', () => {
    const a = abilityFor(cm);
    expect(a.can('create', 'Engagement')).toBe(true);
    expect(a.can('update', 'Engagement')).toBe(true);
    expect(a.can('read', 'EngagementRequest')).toBe(true);
    expect(a.can('update', 'EngagementRequest')).toBe(true);
    expect(a.can('create', 'EngagementRequest')).toBe(false);
  });
  it.each(['control_owner', 'privacy_officer', 'viewer'] as const)('%s has nothing to do with engagements', (role) => {
    const a = abilityFor({ ...cm, role });
    for (const s of ['Engagement', 'EngagementRequest'] as const)
      for (const act of ['read', 'create', 'update'] as const) expect(a.can(act, s)).toBe(false);
  });
});
