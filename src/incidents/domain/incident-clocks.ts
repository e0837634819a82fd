// Every clock an incident runs: the company's severity response times and the legal ones (PDPA breach
// notice to the Office and to data subjects; Thai FDA adverse-event and field-safety reports). Pure: a
// function of the incident's facts, the policy and the time now. Deadlines are elapsed hours from each
// clock's start, so the server's time zone never moves one; pages show them in the compliance zone.
import type { NoticeKind } from './incident-model';
import type { AdverseEventCategory, IncidentPolicy } from './incident-policy';
import { atLeastAsSevere, severityPolicy } from './incident-policy';

const HOUR_MS = 3_600_000;

export type BreachDecision = 'no_risk' | 'risk' | 'high_risk';

/** A notice or report sent, and why it was late when it was. */
export interface Sent {
  at: Date;
  lateReason: string | null;
}

/** What the clocks are computed from (an incident as recorded; times are instants). */
export interface IncidentFacts {
  /** When the company became aware: the legal clocks' start (may be later than detection). */
  awareAt: Date;
  /** Severity as reported and every change after, oldest first. */
  severities: { severity: string; at: Date }[];
  acknowledgedAt: Date | null;
  firstUserUpdateAt: Date | null;
  /** The personal-data breach assessment, once made (null: none yet, or no personal data involved). */
  breach: { decision: BreachDecision; decidedAt: Date } | null;
  /** Personal data is involved: the Office clock runs from awareness until a no-risk decision. */
  personalData: boolean;
  officeNotice: Sent | null;
  subjectNotice: Sent | null;
  /** A medical-device adverse event (clinical safety), with its category and reports. */
  adverseEvent: { category: AdverseEventCategory; initialReport: Sent | null; followUp: Sent | null } | null;
  /** A field safety corrective action: when it started, its reports (oldest first), and when it ended. */
  fsca: { startedAt: Date; reports: Sent[]; closedAt: Date | null } | null;
  /**
   * When the incident was closed (null: open). Closing stops the company's severity clocks (one still
   * unanswered is missed if it fell due before, not owed if not); the legal clocks run on regardless.
   */
  closedAt: Date | null;
}

export type ClockState = 'running' | 'due_soon' | 'overdue' | 'met' | 'missed' | 'not_owed';

export interface IncidentClock {
  key: string;
  label: string;
  /** Where the period comes from (the policy file's `source`, or the company's severity policy). */
  source: string;
  dueAt: Date | null;
  /** When it was satisfied (the acknowledgement, the notice, the report). */
  doneAt: Date | null;
  state: ClockState;
  /** Milliseconds left (negative: late) while it runs; null once met, missed or not owed. */
  remainingMs: number | null;
  /** Why a late notice or report was late, as recorded with it. */
  lateReason: string | null;
  /** Missed, and the late notice does not say why (the PDPC expects the reason with a late notice). */
  needsLateReason: boolean;
}

interface ClockInput {
  key: string;
  label: string;
  source: string;
  dueAt: Date | null;
  done: Sent | null;
  /** False: the clock is not owed (e.g. a no-risk decision). */
  owed: boolean;
  /** The clock stopped unanswered at this instant (a severity clock of a closed incident): missed. */
  stoppedAt?: Date | null;
}

function clock(c: ClockInput, now: Date, remindMs: number): IncidentClock {
  const base = { key: c.key, label: c.label, source: c.source, dueAt: c.dueAt, doneAt: c.done?.at ?? null };
  const late = { lateReason: c.done?.lateReason ?? null, needsLateReason: false };
  if (!c.owed || c.dueAt === null) return { ...base, ...late, state: 'not_owed', remainingMs: null };
  if (c.done) {
    const met = c.done.at.getTime() <= c.dueAt.getTime();
    return {
      ...base,
      state: met ? 'met' : 'missed',
      remainingMs: null,
      lateReason: late.lateReason,
      needsLateReason: !met && !late.lateReason?.trim(),
    };
  }
  if (c.stoppedAt) return { ...base, ...late, state: 'missed', remainingMs: null };
  const remainingMs = c.dueAt.getTime() - now.getTime();
  const state = remainingMs < 0 ? 'overdue' : remainingMs <= remindMs ? 'due_soon' : 'running';
  return { ...base, ...late, state, remainingMs };
}

const after = (start: Date, hours: number) => new Date(start.getTime() + hours * HOUR_MS);

/**
 * A severity clock's deadline: the earliest of (reached at + that severity's hours) over every severity
 * the incident has held. Raising the severity after the fact starts the stricter clock at the raise; a
 * later downgrade does not lift a deadline already running.
 */
function severityDue(facts: IncidentFacts, hoursOf: (key: string) => number | undefined): Date | null {
  let due: Date | null = null;
  for (const change of facts.severities) {
    const hours = hoursOf(change.severity);
    if (hours === undefined) continue;
    const candidate = after(change.at, hours);
    if (due === null || candidate < due) due = candidate;
  }
  return due;
}

function severityClocks(facts: IncidentFacts, policy: IncidentPolicy): ClockInput[] {
  const source = 'the company incident policy (controls/incident-policy.yaml)';
  const atOf = (d: Date | null): Sent | null => (d ? { at: d, lateReason: null } : null);
  const ackDue = severityDue(facts, (k) => severityPolicy(policy, k)?.acknowledgeHours);
  const updateDue = severityDue(facts, (k) => severityPolicy(policy, k)?.updateHours);
  const closed = facts.closedAt;
  // Closed unanswered: missed when the deadline passed while it was open, not owed when it had not.
  const stop = (dueAt: Date | null, done: Sent | null) => {
    if (!closed || done || dueAt === null) return { owed: dueAt !== null, stoppedAt: null };
    return closed > dueAt ? { owed: true, stoppedAt: closed } : { owed: false, stoppedAt: null };
  };
  const ack = atOf(facts.acknowledgedAt);
  const update = atOf(facts.firstUserUpdateAt);
  return [
    { key: 'acknowledge', label: 'Acknowledged', source, dueAt: ackDue, done: ack, ...stop(ackDue, ack) },
    {
      key: 'user_update',
      label: 'First update to users',
      source,
      dueAt: updateDue,
      done: update,
      ...stop(updateDue, update),
    },
  ];
}

function breachClocks(facts: IncidentFacts, policy: IncidentPolicy): ClockInput[] {
  const { breachOffice, breachSubjects } = policy.regulatory;
  const decision = facts.breach?.decision ?? null;
  return [
    {
      key: 'breach_office',
      label: 'Breach notified to the PDPC Office',
      source: breachOffice.source,
      dueAt: after(facts.awareAt, breachOffice.hours),
      done: facts.officeNotice,
      // Owed from awareness until a documented no-risk decision (a notice already sent still counts).
      owed: facts.personalData && (decision !== 'no_risk' || facts.officeNotice !== null),
    },
    {
      key: 'breach_subjects',
      label: 'Data subjects told (high risk)',
      source: breachSubjects.source,
      dueAt: facts.breach ? after(facts.breach.decidedAt, breachSubjects.hours) : null,
      done: facts.subjectNotice,
      owed: facts.personalData && decision === 'high_risk',
    },
  ];
}

function adverseEventClocks(facts: IncidentFacts, policy: IncidentPolicy): ClockInput[] {
  const ae = facts.adverseEvent;
  if (!ae) return [];
  const initial = policy.regulatory.adverseEvent[ae.category];
  const followUp = policy.regulatory.adverseEventFollowUp;
  return [
    {
      key: 'adverse_event_report',
      label: 'Adverse event reported to the Thai FDA',
      source: initial.source,
      dueAt: after(facts.awareAt, initial.hours),
      done: ae.initialReport,
      owed: true,
    },
    {
      key: 'adverse_event_follow_up',
      label: 'Adverse event follow-up report',
      source: followUp.source,
      dueAt: ae.initialReport ? after(ae.initialReport.at, followUp.hours) : null,
      done: ae.followUp,
      owed: ae.initialReport !== null,
    },
  ];
}

function fscaClocks(facts: IncidentFacts, policy: IncidentPolicy): ClockInput[] {
  const f = facts.fsca;
  if (!f) return [];
  const { fsca, fscaFollowUp } = policy.regulatory;
  const clocks: ClockInput[] = [
    {
      key: 'fsca_report',
      label: 'Field safety corrective action reported',
      source: fsca.source,
      dueAt: after(f.startedAt, fsca.hours),
      done: f.reports[0] ?? null,
      owed: true,
    },
  ];
  // Each report after the first answers the follow-up owed since the one before it.
  f.reports.forEach((previous, i) => {
    const dueAt = after(previous.at, fscaFollowUp.hours);
    const next = f.reports[i + 1] ?? null;
    // Once the action has ended, no further follow-up is owed unless it fell due before the end.
    const owed = next !== null || f.closedAt === null || f.closedAt > dueAt;
    clocks.push({
      key: `fsca_follow_up_${i + 1}`,
      label: `FSCA follow-up report ${i + 1}`,
      source: fscaFollowUp.source,
      dueAt,
      done: next,
      owed,
    });
  });
  return clocks;
}

/** Every clock of the incident at `now`, in a stable order: severity, breach, adverse event, FSCA. */
export function incidentClocks(facts: IncidentFacts, policy: IncidentPolicy, now: Date): IncidentClock[] {
  const remindMs = policy.remindBeforeHours * HOUR_MS;
  return [
    ...severityClocks(facts, policy),
    ...breachClocks(facts, policy),
    ...adverseEventClocks(facts, policy),
    ...fscaClocks(facts, policy),
  ].map((c) => clock(c, now, remindMs));
}

/**
 * Which clocks a notice of each kind answers (keys above). Every kind answers one: an FSCA report answers
 * the first report's clock, or the follow-up owed since the report before it.
 */
const NOTICE_CLOCKS: Record<NoticeKind, (key: string) => boolean> = {
  pdpc_office: (key) => key === 'breach_office',
  data_subjects: (key) => key === 'breach_subjects',
  fda_initial: (key) => key === 'adverse_event_report',
  fda_follow_up: (key) => key === 'adverse_event_follow_up',
  fsca_report: (key) => key === 'fsca_report' || key.startsWith('fsca_follow_up_'),
};

/**
 * The clock a notice of `kind` sent at `sentAt` answers late without saying why (clocks computed with the
 * notice among the facts), or null: a late notice must give its reason.
 */
export function lateWithoutReason(clocks: IncidentClock[], kind: NoticeKind, sentAt: Date): IncidentClock | null {
  return (
    clocks.find((c) => NOTICE_CLOCKS[kind](c.key) && c.needsLateReason && c.doneAt?.getTime() === sentAt.getTime()) ??
    null
  );
}

/** The most severe severity the incident has held (what escalation and the register show as its peak). */
export function peakSeverity(facts: Pick<IncidentFacts, 'severities'>, policy: IncidentPolicy): string | null {
  let peak: string | null = null;
  for (const { severity } of facts.severities)
    if (peak === null || atLeastAsSevere(policy, severity, peak)) peak = severity;
  return peak;
}

/** Facts that cannot be true, each naming its field (the service answers them as a 400). */
export function factProblems(facts: IncidentFacts, now: Date): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const before = (field: string, at: Date | null | undefined, what: string, limit: Date) => {
    if (at && at < limit) problems.push({ field, message: `must not be before ${what}` });
  };
  if (facts.awareAt > now) problems.push({ field: 'awareAt', message: 'must not be in the future' });
  before('officeNotice.sentAt', facts.officeNotice?.at, 'awareAt', facts.awareAt);
  before('subjectNotice.sentAt', facts.subjectNotice?.at, 'awareAt', facts.awareAt);
  before('breach.decidedAt', facts.breach?.decidedAt, 'awareAt', facts.awareAt);
  before('adverseEvent.initialReport.sentAt', facts.adverseEvent?.initialReport?.at, 'awareAt', facts.awareAt);
  const initial = facts.adverseEvent?.initialReport?.at;
  if (initial) before('adverseEvent.followUp.sentAt', facts.adverseEvent?.followUp?.at, 'the initial report', initial);
  if (facts.fsca)
    before('fsca.reports.0.sentAt', facts.fsca.reports[0]?.at, 'the action started', facts.fsca.startedAt);
  return problems;
}
