import { join } from 'node:path';
import { loadIncidentPolicy } from '../incident-policy-loader';
import {
  factProblems,
  incidentClocks,
  lateWithoutReason,
  peakSeverity,
  type IncidentClock,
  type IncidentFacts,
} from './incident-clocks';
import { NOTICE_KINDS } from './incident-model';
import type { IncidentPolicy } from './incident-policy';

// The reviewed policy itself (controls/incident-policy.yaml): the tests pin what the company committed to.
const policy = loadIncidentPolicy(join(__dirname, '../../../controls')).policy as IncidentPolicy;
const H = 3_600_000;
/** 23:59 ICT on 1 Dec 2026 (16:59 UTC). */
const AWARE = new Date('2026-12-01T16:59:00.000Z');
const at = (hours: number) => new Date(AWARE.getTime() + hours * H);
const sent = (hours: number, lateReason: string | null = null) => ({ at: at(hours), lateReason });

function facts(over: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    awareAt: AWARE,
    severities: [{ severity: 'SEV3', at: AWARE }],
    acknowledgedAt: null,
    firstUserUpdateAt: null,
    breach: null,
    personalData: false,
    officeNotice: null,
    subjectNotice: null,
    adverseEvent: null,
    fsca: null,
    closedAt: null,
    ...over,
  };
}

const clockOf = (f: IncidentFacts, key: string, nowHours: number): IncidentClock => {
  const c = incidentClocks(f, policy, at(nowHours)).find((x) => x.key === key);
  if (!c) throw new Error(`no clock ${key}`);
  return c;
};

describe('the reviewed incident policy', () => {
  it('loads without problems and says what the manuals and the law say', () => {
    expect(loadIncidentPolicy(join(__dirname, '../../../controls')).problems).toEqual([]);
    expect(policy.severities[0]).toMatchObject({
      key: 'SEV1',
      acknowledgeHours: 1,
      updateHours: 4,
      escalateAtOnce: true,
    });
    expect(policy.regulatory.breachOffice.hours).toBe(72);
    expect(Object.values(policy.regulatory.adverseEvent).map((c) => c.hours)).toEqual([48, 240, 720]);
    expect([policy.regulatory.fsca.hours, policy.regulatory.fscaFollowUp.hours]).toEqual([48, 504]);
  });
});

describe('the PDPA breach notice to the Office (72 h from awareness)', () => {
  const breach = (over: Partial<IncidentFacts>) => facts({ personalData: true, ...over });

  it('is due exactly 72 h after awareness at 23:59 ICT: 23:59 ICT three days later', () => {
    const c = clockOf(breach({}), 'breach_office', 0);
    expect(c.dueAt?.toISOString()).toBe('2026-12-04T16:59:00.000Z');
    expect([c.state, c.remainingMs]).toEqual(['running', 72 * H]);
  });

  it('is met by a notice at exactly 72 h, missed a millisecond later', () => {
    expect(clockOf(breach({ officeNotice: sent(72) }), 'breach_office', 100).state).toBe('met');
    const late = breach({ officeNotice: { at: new Date(at(72).getTime() + 1), lateReason: null } });
    expect(clockOf(late, 'breach_office', 100)).toMatchObject({ state: 'missed', needsLateReason: true });
  });

  it('keeps the reason of a late notice, and then asks for nothing more', () => {
    const c = clockOf(
      breach({ officeNotice: sent(90, 'forensics confirmed the scope at 88 h') }),
      'breach_office',
      100,
    );
    expect(c).toMatchObject({
      state: 'missed',
      lateReason: 'forensics confirmed the scope at 88 h',
      needsLateReason: false,
    });
  });

  it('is due soon in its last hour and overdue after it', () => {
    expect(clockOf(breach({}), 'breach_office', 71.5).state).toBe('due_soon');
    expect(clockOf(breach({}), 'breach_office', 73)).toMatchObject({ state: 'overdue', remainingMs: -1 * H });
  });

  it('is not owed after a documented no-risk decision, nor without personal data', () => {
    const noRisk = breach({ breach: { decision: 'no_risk', decidedAt: at(10) } });
    expect(clockOf(noRisk, 'breach_office', 100).state).toBe('not_owed');
    expect(clockOf(facts(), 'breach_office', 100).state).toBe('not_owed');
  });

  it('runs while the assessment is pending, and under a risk decision', () => {
    expect(clockOf(breach({}), 'breach_office', 1).state).toBe('running');
    expect(clockOf(breach({ breach: { decision: 'risk', decidedAt: at(5) } }), 'breach_office', 80).state).toBe(
      'overdue',
    );
  });
});

describe('the notice to data subjects (high risk only)', () => {
  it('is owed only under a high-risk decision, counted from the decision', () => {
    const high = facts({ personalData: true, breach: { decision: 'high_risk', decidedAt: at(20) } });
    expect(clockOf(high, 'breach_subjects', 21).dueAt).toEqual(at(92));
    expect(clockOf(high, 'breach_subjects', 93).state).toBe('overdue');
    const risk = facts({ personalData: true, breach: { decision: 'risk', decidedAt: at(20) } });
    expect(clockOf(risk, 'breach_subjects', 93).state).toBe('not_owed');
  });
});

describe('severity clocks', () => {
  it('gives a SEV1 an hour to acknowledge and four to update users', () => {
    const sev1 = facts({ severities: [{ severity: 'SEV1', at: AWARE }] });
    expect(clockOf(sev1, 'acknowledge', 0).dueAt).toEqual(at(1));
    expect(clockOf(sev1, 'user_update', 0).dueAt).toEqual(at(4));
    expect(clockOf({ ...sev1, acknowledgedAt: at(1) }, 'acknowledge', 2).state).toBe('met');
  });

  it('starts the stricter clock when the severity is raised after the fact', () => {
    const raised = facts({
      severities: [
        { severity: 'SEV3', at: AWARE },
        { severity: 'SEV1', at: at(2) },
      ],
    });
    expect(clockOf(raised, 'acknowledge', 2).dueAt).toEqual(at(3));
    expect(clockOf(raised, 'user_update', 2).dueAt).toEqual(at(6));
    // Acknowledged before the raise: met.
    expect(clockOf({ ...raised, acknowledgedAt: at(1.5) }, 'acknowledge', 4).state).toBe('met');
  });

  it('does not lift a running deadline when the severity is lowered', () => {
    const lowered = facts({
      severities: [
        { severity: 'SEV1', at: AWARE },
        { severity: 'SEV4', at: at(0.5) },
      ],
    });
    expect(clockOf(lowered, 'acknowledge', 2)).toMatchObject({ dueAt: at(1), state: 'overdue' });
  });

  it('has no user-update clock for a severity without one', () => {
    expect(clockOf(facts(), 'user_update', 0).state).toBe('not_owed');
  });

  it('names the peak severity held', () => {
    const f = facts({
      severities: [
        { severity: 'SEV3', at: AWARE },
        { severity: 'SEV2', at: at(1) },
        { severity: 'SEV4', at: at(2) },
      ],
    });
    expect(peakSeverity(f, policy)).toBe('SEV2');
  });
});

describe('a closed incident', () => {
  it('stops the severity clocks: missed if one fell due unanswered while open, not owed if it had not', () => {
    // SEV3: acknowledge within 24 h (the policy file); closed at 30 h without an acknowledgement.
    const late = facts({ closedAt: at(30) });
    expect(clockOf(late, 'acknowledge', 500)).toMatchObject({ state: 'missed', remainingMs: null, doneAt: null });
    // Closed at exactly the deadline: not yet due, so not owed (no lateness to report).
    expect(clockOf(facts({ closedAt: at(24) }), 'acknowledge', 500).state).toBe('not_owed');
    // Answered before closing: met, as if open.
    expect(clockOf(facts({ closedAt: at(30), acknowledgedAt: at(2) }), 'acknowledge', 500).state).toBe('met');
  });

  it('keeps the legal clocks running: closing does not answer the Office', () => {
    const f = facts({ personalData: true, closedAt: at(10) });
    expect(clockOf(f, 'breach_office', 80)).toMatchObject({ state: 'overdue', remainingMs: -8 * H });
  });
});

describe('Thai FDA adverse-event and field-safety clocks', () => {
  it.each([
    ['serious_public_health_threat', 48],
    ['death_or_serious_injury', 240],
    ['could_cause_death_or_serious_injury', 720],
  ] as const)('%s: the initial report is due %i h after awareness', (category, hours) => {
    const f = facts({ adverseEvent: { category, initialReport: null, followUp: null } });
    expect(clockOf(f, 'adverse_event_report', 0).dueAt).toEqual(at(hours));
    expect(clockOf(f, 'adverse_event_follow_up', 0).state).toBe('not_owed');
  });

  it('owes a follow-up 30 days after the initial report', () => {
    const f = facts({
      adverseEvent: { category: 'death_or_serious_injury', initialReport: sent(100), followUp: null },
    });
    expect(clockOf(f, 'adverse_event_report', 101).state).toBe('met');
    expect(clockOf(f, 'adverse_event_follow_up', 101).dueAt).toEqual(at(100 + 720));
  });

  it('chains FSCA follow-ups 21 days after each report, none owed once the action ended in time', () => {
    const f = facts({ fsca: { startedAt: at(10), reports: [sent(50), sent(50 + 600)], closedAt: null } });
    const clocks = incidentClocks(f, policy, at(700));
    expect(clocks.filter((c) => c.key.startsWith('fsca')).map((c) => [c.key, c.state])).toEqual([
      ['fsca_report', 'met'],
      ['fsca_follow_up_1', 'missed'],
      ['fsca_follow_up_2', 'running'],
    ]);
    const ended = facts({ fsca: { startedAt: at(10), reports: [sent(50)], closedAt: at(100) } });
    expect(clockOf(ended, 'fsca_follow_up_1', 1000).state).toBe('not_owed');
  });
});

describe('lateWithoutReason: a late notice must say why', () => {
  it('asks a late FSCA report (after 48 h from the start) and a late follow-up (after 21 days) for a reason', () => {
    const late = (reports: { at: Date; lateReason: string | null }[], sentAt: Date) =>
      lateWithoutReason(
        incidentClocks(facts({ fsca: { startedAt: at(10), reports, closedAt: null } }), policy, at(1000)),
        'fsca_report',
        sentAt,
      )?.key ?? null;
    expect(late([sent(58)], at(58))).toBeNull();
    expect(late([sent(58, null), sent(59)], at(59))).toBeNull();
    expect(late([sent(59)], at(59))).toBe('fsca_report');
    expect(late([sent(59, 'Supplier data came late')], at(59))).toBeNull();
    expect(late([sent(50), sent(50 + 505)], at(50 + 505))).toBe('fsca_follow_up_1');
    expect(late([sent(50), sent(50 + 504)], at(50 + 504))).toBeNull();
  });

  it.each(NOTICE_KINDS.map((k) => [k]))('answers a clock for every kind of notice: %s', (kind) => {
    const f = facts({
      personalData: true,
      breach: { decision: 'high_risk', decidedAt: at(1) },
      officeNotice: sent(200),
      subjectNotice: sent(200),
      adverseEvent: { category: 'serious_public_health_threat', initialReport: sent(200), followUp: sent(2000) },
      fsca: { startedAt: at(0), reports: [sent(200)], closedAt: null },
    });
    const sentAt = kind === 'fda_follow_up' ? at(2000) : at(200);
    expect(lateWithoutReason(incidentClocks(f, policy, at(2001)), kind, sentAt)).not.toBeNull();
  });
});

describe('time zones', () => {
  const saved = process.env.TZ;
  afterEach(() => (process.env.TZ = saved));

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Bangkok', 'Pacific/Kiritimati'])(
    'gives the same deadlines with the server in %s',
    (tz) => {
      process.env.TZ = tz;
      const c = clockOf(facts({ personalData: true }), 'breach_office', 0);
      expect(c.dueAt?.toISOString()).toBe('2026-12-04T16:59:00.000Z');
    },
  );
});

describe('factProblems', () => {
  it('names awareness in the future and notices before awareness', () => {
    const f = facts({ awareAt: at(5), officeNotice: sent(1), breach: { decision: 'risk', decidedAt: at(0) } });
    expect(factProblems(f, at(0)).map((p) => p.field)).toEqual(['awareAt', 'officeNotice.sentAt', 'breach.decidedAt']);
    expect(factProblems(facts({ officeNotice: sent(1) }), at(2))).toEqual([]);
  });
});
