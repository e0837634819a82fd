import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import type { IncidentPolicy } from '../incidents/domain/incident-policy';
import type { ClockView, IncidentDetail } from '../incidents/incident-views';
import {
  assessmentBody,
  changeBody,
  factsBody,
  formField,
  noticeBody,
  refusedForm,
  reportBody,
  type FormState,
} from './incident-forms';
import {
  clockText,
  duration,
  incidentPage,
  incidentPermissions,
  incidentRegisterPage,
  newIncidentPage,
} from './incident.page';

const HOUR = 3_600_000;
const policy = {
  severities: [
    { key: 'SEV1', name: 'Critical', acknowledgeHours: 1, updateHours: 4, escalateAtOnce: true },
    { key: 'SEV2', name: 'High', acknowledgeHours: 4, updateHours: 24, escalateAtOnce: false },
  ],
} as IncidentPolicy;

const clock = (over: Partial<ClockView>): ClockView => ({
  key: 'breach_office',
  label: 'Breach notified to the PDPC Office',
  source: 'PDPA s. 37(4)',
  dueAt: '2026-12-08T05:00:00.000Z',
  doneAt: null,
  state: 'running',
  remainingMs: 3 * HOUR + 20 * 60_000,
  lateReason: null,
  needsLateReason: false,
  ...over,
});

const actor = (role: UserActor['role'], id = 'u-' + role): UserActor =>
  ({ kind: 'user', id, name: role, role, departmentId: null, departmentKey: null }) as unknown as UserActor;

function incident(over: Partial<IncidentDetail> = {}): IncidentDetail {
  return {
    id: '7d9a1c1e-0000-4000-8000-000000000001',
    ref: 'INC-0001',
    title: 'Lab results sent to the wrong patients',
    status: 'detect',
    severity: 'SEV2',
    peakSeverity: 'SEV2',
    categories: ['personal_data_breach'],
    detectedAt: '2026-12-05T02:00:00.000Z',
    awareAt: '2026-12-05T02:00:00.000Z',
    reporterRole: 'compliance_manager',
    reporter: { id: 'u-reporter', name: 'Chanida' },
    commander: null,
    clocks: [clock({}), clock({ key: 'x', state: 'not_owed', remainingMs: null })],
    openCapas: 0,
    version: 3,
    description: 'A batch job.',
    source: 'form',
    externalKey: null,
    affectedSystems: [],
    products: [],
    customers: [],
    acknowledgedAt: null,
    firstUserUpdateAt: null,
    adverseEventCategory: null,
    fscaStartedAt: null,
    fscaClosedAt: null,
    review: null,
    closedAt: null,
    severities: [{ severity: 'SEV2', at: '2026-12-05T02:00:00.000Z', reason: 'as reported', actor: 'user:u-reporter' }],
    timeline: [
      { id: 't2', at: '2026-12-05T04:00:00.000Z', kind: 'action', text: 'stopped', actor: 'user:u-x' },
      { id: 't1', at: '2026-12-05T02:00:00.000Z', kind: 'status_change', text: 'Reported', actor: 'user:u-reporter' },
    ],
    assessment: null,
    assessments: 0,
    notices: [],
    capas: [],
    risks: [],
    ...over,
  };
}

describe('clocks in words (never colour alone)', () => {
  it('says time left, lateness, met, and missed with its reason', () => {
    expect(clockText(clock({}))).toBe('3 h 20 m left');
    expect(clockText(clock({ state: 'due_soon', remainingMs: 40 * 60_000 }))).toBe('40 m left');
    expect(clockText(clock({ state: 'overdue', remainingMs: -5 * HOUR }))).toBe('late by 5 h');
    expect(clockText(clock({ state: 'met', remainingMs: null }))).toBe('met');
    expect(clockText(clock({ state: 'missed', remainingMs: null, lateReason: 'the DPO was away' }))).toBe(
      'missed (the DPO was away)',
    );
    expect(clockText(clock({ state: 'missed', remainingMs: null }))).toBe('missed (no reason given)');
    expect(duration(2 * 24 * HOUR + 4 * HOUR + 59 * 60_000)).toBe('2 d 4 h');
  });
});

describe('the register', () => {
  it('shows owed clocks only, peak severity when different, and keeps the filters in the paging links', () => {
    const page = incidentRegisterPage({
      query: { show: 'all', severity: 'SEV2', q: 'lab' },
      list: { items: [incident({ peakSeverity: 'SEV1' })], total: 60, offset: 0, limit: 50 },
      policy,
    });
    expect(page.incidents[0].clocks.map((c) => c.key)).toEqual(['breach_office']);
    expect(page.incidents[0].clocks[0]).toMatchObject({ text: '3 h 20 m left', state: 'running' });
    expect(page.incidents[0].peak).toBe('SEV1');
    expect(page.incidents[0].categoryLabels).toBe('personal-data breach');
    expect(page.next).toBe('?show=all&severity=SEV2&q=lab&offset=50');
    expect(page.previous).toBeNull();
    expect(page.severities.find((s) => s.selected)?.key).toBe('SEV2');
  });
});

describe('the report form', () => {
  it('starts at now in the compliance zone, and shows a refused form as it was sent', () => {
    const blank = newIncidentPage({ policy, now: new Date('2026-12-05T16:59:00Z'), formKey: 'k' });
    expect(blank.values).toMatchObject({ detectedAt: '2026-12-05T23:59', awareAt: '2026-12-05T23:59' });
    const refused = refusedForm(
      'report',
      { title: 'x', categories: ['security'] },
      { message: 'title is too short', errors: [{ field: 'title', message: 'title must be longer' }] },
    );
    const again = newIncidentPage({ policy, now: new Date(), formKey: 'k', form: refused });
    expect(again.values.title).toBe('x');
    expect(again.errors).toEqual({ title: 'Title must be longer.' }); // in plain words (plain-messages.ts)
    expect(again.categories.filter((c) => c.selected).map((c) => c.key)).toEqual(['security']);
  });

  it('reads datetime-local in the compliance zone and comma lists', () => {
    expect(
      reportBody({ title: 't', awareAt: '2026-12-05T23:59', affectedSystems: ' mailer, ,lab-portal ' }),
    ).toMatchObject({ awareAt: '2026-12-05T16:59:00.000Z', affectedSystems: ['mailer', 'lab-portal'] });
  });
});

describe('the incident page', () => {
  const build = (who: UserActor, i = incident()) =>
    incidentPage({
      incident: i,
      policy,
      can: incidentPermissions(abilityFor(who), i),
      people: [{ id: 'u-x', name: 'Somchai' }],
      formKey: 'k',
      now: new Date('2026-12-06T00:00:00Z'),
    });

  it('the privacy officer assesses and records PDPA notices; the compliance manager does neither', () => {
    const privacy = build(actor('privacy_officer'));
    expect(privacy.can).toMatchObject({ assess: true, notice: true, update: true });
    expect(privacy.forms.notice.kinds.map((k) => k.key)).toEqual(['pdpc_office', 'data_subjects']);
    const manager = build(actor('compliance_manager'));
    expect(manager.can).toMatchObject({ assess: false, notice: false, update: true });
  });

  it('a viewer who did not report it may change nothing; a closed incident offers no form', () => {
    expect(build(actor('viewer')).can).toEqual({ update: false, assess: false, notice: false, raiseRisk: false });
    expect(build(actor('compliance_manager'), incident({ status: 'closed' })).can.update).toBe(false);
  });

  it('offers raising a risk in the register the categories choose, to who may change the incident and own it', () => {
    const manager = actor('compliance_manager');
    const raise = (who: UserActor, i: IncidentDetail) => incidentPermissions(abilityFor(who), i, who.id).raiseRisk;
    expect(raise(manager, incident())).toBe('security');
    expect(raise(manager, incident({ categories: ['clinical_safety', 'security'] }))).toBe('iso14971');
    expect(raise(manager, incident({ status: 'closed' }))).toBeNull();
    // The privacy officer runs breaches but holds no security risks.
    expect(raise(actor('privacy_officer'), incident())).toBeNull();
    expect(raise(actor('viewer'), incident({ categories: ['clinical_safety'] }))).toBeNull();
  });

  it('puts the timeline oldest first with names, and offers only forward statuses', () => {
    const page = build(actor('compliance_manager'), incident({ status: 'fix' }));
    expect(page.timeline.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(page.timeline.map((t) => t.by)).toEqual(['Chanida', 'Somchai']);
    expect(page.forms.change.statuses.map((s) => s.key)).toEqual(['fix', 'learn', 'closed']);
  });

  it('shows a refused notice again with its problem next to the field', () => {
    const i = incident();
    const page = incidentPage({
      incident: i,
      policy,
      can: incidentPermissions(abilityFor(actor('privacy_officer')), i),
      people: [],
      formKey: 'k',
      now: new Date(),
      form: refusedForm(
        'notice',
        { kind: 'pdpc_office', sentAt: '2026-12-08T14:00', channel: 'PDPC e-service' },
        { message: 'late', errors: [{ field: 'lateReason', message: 'lateReason is required' }] },
      ),
    });
    expect(page.forms.notice.values).toMatchObject({ channel: 'PDPC e-service' });
    expect(page.forms.notice.errors).toEqual({ lateReason: 'Late reason is required.' });
    expect(page.forms.timeline.errors).toEqual({});
  });
});

describe('forms to the API', () => {
  it('maps the assessment factors and their problems both ways', () => {
    const body = assessmentBody({ natureLevel: 'high', subjectsApprox: '40', recordsApprox: '', sensitive: '1' }) as {
      factors: Record<string, { level: string }>;
      subjectsApprox: unknown;
      recordsApprox: unknown;
      sensitive: boolean;
    };
    expect(body.factors.nature.level).toBe('high');
    expect(body).toMatchObject({ subjectsApprox: 40, recordsApprox: null, sensitive: true });
    expect(formField('factors.safeguards.level')).toBe('safeguardsLevel');
    expect(formField('types.0')).toBe('types');
  });

  it('sends only what changed, and a severity with its reason', () => {
    const i = incident();
    expect(changeBody({ version: '3', status: 'detect', severity: 'SEV2', commanderUserId: '' }, i)).toEqual({
      version: 3,
    });
    expect(changeBody({ version: '3', status: 'closed', severity: 'SEV1', severityReason: 'worse' }, i)).toEqual({
      version: 3,
      status: 'closed',
      severity: 'SEV1',
      severityReason: 'worse',
    });
    expect(noticeBody({ kind: 'pdpc_office', sentAt: '2026-12-08T08:00', channel: 'e' })).toMatchObject({
      sentAt: '2026-12-08T01:00:00.000Z',
      lateReason: null,
    });
  });
});

describe('correcting the facts', () => {
  const clinical = incident({
    categories: ['clinical_safety', 'security'],
    awareAt: '2026-12-05T02:00:37.000Z', // seconds the form cannot show
    description: 'Two tabs.\nThe score followed the old tab.',
    affectedSystems: ['triage-app', 'api'],
    adverseEventCategory: 'death_or_serious_injury',
    fscaStartedAt: '2026-12-05T05:00:00.000Z',
  });
  const pageOf = (i: IncidentDetail, form: FormState | null = null) =>
    incidentPage({
      incident: i,
      policy,
      can: incidentPermissions(abilityFor(actor('compliance_manager')), i),
      people: [],
      formKey: 'k',
      now: new Date('2026-12-06T00:00:00Z'),
      form,
    });
  /** The form as the page prefills it, as a browser sends it back (CRLF line ends, its own category order). */
  const untouched = () => {
    const page = pageOf(clinical);
    const v = page.forms.facts.values as Record<string, string>;
    return {
      ...v,
      version: '3',
      description: v.description.replace(/\n/g, '\r\n'),
      categories: ['security', 'clinical_safety'],
    };
  };

  it('prefills the incident in the compliance zone, with the FSCA dates for a clinical-safety incident', () => {
    const page = pageOf(clinical);
    expect(page.forms.facts.values).toMatchObject({
      awareAt: '2026-12-05T09:00',
      affectedSystems: 'triage-app, api',
      fscaStartedAt: '2026-12-05T12:00',
      fscaClosedAt: '',
    });
    expect(page.forms.facts.categories.filter((c) => c.selected).map((c) => c.label)).toEqual([
      'security',
      'clinical safety / adverse event',
    ]);
    expect(page.forms.facts.showFsca).toBe(true);
    expect(page.forms.facts.adverseEventCategories.find((c) => c.selected)?.key).toBe('death_or_serious_injury');
    expect(pageOf(incident()).forms.facts.showFsca).toBe(false);
  });

  it('an untouched form changes nothing: categories as a set, times at the minute, line ends ignored', () => {
    expect(factsBody(untouched(), clinical)).toEqual({ version: 3 });
  });

  it('sends only the changed fields, times typed in Bangkok as instants', () => {
    expect(
      factsBody(
        { ...untouched(), awareAt: '2026-12-05T23:59', products: 'Attest Triage, ', title: ' Wrong score ' },
        clinical,
      ),
    ).toEqual({
      version: 3,
      title: ' Wrong score ',
      awareAt: '2026-12-05T16:59:00.000Z',
      products: ['Attest Triage'],
    });
    expect(factsBody({ ...untouched(), categories: ['security'], adverseEventCategory: '' }, clinical)).toEqual({
      version: 3,
      categories: ['security'],
      adverseEventCategory: null,
    });
  });

  it('empty FSCA dates: no change when there are none, null when one is cleared', () => {
    const none = incident();
    expect(factsBody({ categories: none.categories, fscaStartedAt: '', fscaClosedAt: '' }, none)).toEqual({
      version: undefined,
    });
    expect(factsBody({ ...untouched(), fscaStartedAt: '', fscaClosedAt: '2026-12-06T06:30' }, clinical)).toEqual({
      version: 3,
      fscaStartedAt: null,
      fscaClosedAt: '2026-12-05T23:30:00.000Z',
    });
  });

  it('an emptied required fact is sent for validation to refuse; its problem lands next to the field', () => {
    expect(factsBody({ ...untouched(), awareAt: '', categories: [] }, clinical)).toEqual({
      version: 3,
      awareAt: '',
      categories: [],
    });
    const refused = refusedForm('facts', untouched(), {
      message: 'awareAt must not be in the future',
      errors: [{ field: 'awareAt', message: 'awareAt must not be in the future' }],
    });
    const page = pageOf(clinical, refused);
    expect(page.forms.facts.values).toMatchObject({ awareAt: '2026-12-05T09:00' });
    expect(page.forms.facts.errors).toEqual({ awareAt: 'Aware at must not be in the future.' });
    expect(page.forms.change.errors).toEqual({});
  });
});
