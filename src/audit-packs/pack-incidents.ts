// The audit pack's incidents section, from the incidents the company became aware of in the period and their
// records (IncidentsService.awareBetween). Everything is stated as of one moment, `asOf` — the period's end,
// or the build if the period had not ended (the same rule as the controls' freshness): what was recorded
// after it (a notice, an acknowledgement, a CAPA closed, a later severity) is left out, then the clocks are
// computed with incidentClocks at that moment. Status and closed-at too: an incident closed after `asOf` is
// stated open, at the stage its timeline's status changes say it was in then, with no closed-at. Every count
// is derived from the rows the section lists.
// No person appears: the reporter's role only.
import { endOfDay } from '../common/time/days';
import { incidentClocks, peakSeverity, type IncidentClock } from '../incidents/domain/incident-clocks';
import { INCIDENT_STATUSES, incidentRef, type IncidentStatus } from '../incidents/domain/incident-model';
import type { IncidentPolicy } from '../incidents/domain/incident-policy';
import { factsOf } from '../incidents/incident-views';
import type { IncidentTimelineEntry } from '../incidents/incident-records.entity';
import type { Incident } from '../incidents/incident.entity';
import type { IncidentRecords } from '../incidents/incidents.service';
import type { FreshnessAsOf } from './domain/pack-period';
import type { PackClockCount, PackIncident, PackIncidentCapa, PackIncidentClock, PackIncidents } from './pack-model';

const upTo = (d: Date | null, at: Date): Date | null => (d && d.getTime() <= at.getTime() ? d : null);

/** The incident and its records as they stood at `at` (the severity first reported always counts). */
export function incidentAsOf(
  i: Incident,
  r: IncidentRecords,
  at: Date,
): { incident: Incident; records: IncidentRecords } {
  const own = <T>(m: Map<string, T[]>, when: (x: T) => Date) =>
    new Map([[i.id, (m.get(i.id) ?? []).filter((x) => when(x).getTime() <= at.getTime())]]);
  const severities = r.severities.get(i.id) ?? [];
  return {
    incident: {
      ...i,
      acknowledgedAt: upTo(i.acknowledgedAt, at),
      firstUserUpdateAt: upTo(i.firstUserUpdateAt, at),
      fscaStartedAt: upTo(i.fscaStartedAt, at),
      fscaClosedAt: upTo(i.fscaClosedAt, at),
      // Closing stops the severity clocks: a closure after `at` must not stop them at `at`.
      closedAt: upTo(i.closedAt, at),
    },
    records: {
      severities: new Map([[i.id, severities.filter((s, n) => n === 0 || s.at.getTime() <= at.getTime())]]),
      assessments: own(r.assessments, (a) => a.decidedAt),
      notices: own(r.notices, (n) => n.sentAt),
      capas: own(r.capas, (c) => c.createdAt),
    },
  };
}

/** A status change as the service writes it to the timeline: "fix → closed" (the report's entry is not one). */
export function parseStatusChange(text: string): { from: IncidentStatus; to: IncidentStatus } | null {
  const m = /^(\w+) → (\w+)$/.exec(text);
  const known = (s: string): s is IncidentStatus => (INCIDENT_STATUSES as readonly string[]).includes(s);
  return m && known(m[1]) && known(m[2]) ? { from: m[1], to: m[2] } : null;
}

/**
 * The incident's status and closed-at as they stood at `at`. Closed by then (closedAt ≤ at): closed. Otherwise
 * the stage it left at its first status change after `at` (the service records each one in the timeline at
 * the instant it happens, closing included), or its status now if it has not changed since. Null when it was
 * closed after `at` and no status change after `at` is recorded: open then, at a stage nothing states.
 */
export function statusAsOf(
  i: Pick<Incident, 'status' | 'closedAt'>,
  changes: Pick<IncidentTimelineEntry, 'kind' | 'text' | 'at'>[],
  at: Date,
): { status: IncidentStatus | null; closedAt: Date | null } {
  const closedAt = upTo(i.closedAt, at);
  if (closedAt) return { status: 'closed', closedAt };
  const next = changes
    .filter((c) => c.kind === 'status_change' && c.at.getTime() > at.getTime())
    .map((c) => ({ at: c.at.getTime(), change: parseStatusChange(c.text) }))
    .filter((c) => c.change !== null)
    .sort((a, b) => a.at - b.at)[0];
  if (next) return { status: next.change!.from, closedAt: null };
  return { status: i.status === 'closed' ? null : i.status, closedAt: null };
}

export function clockGroup(key: string): PackIncidentClock['group'] {
  if (key === 'acknowledge' || key === 'user_update') return 'severity';
  if (key === 'breach_office') return 'pdpc_office';
  if (key === 'breach_subjects') return 'data_subjects';
  return 'thai_fda';
}

const packState = (s: IncidentClock['state']): PackIncidentClock['state'] => (s === 'due_soon' ? 'running' : s);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The incidents section: `rows` are the incidents aware in the period (oldest awareness first) with their
 * records and `status_change` timeline entries as read now; `asOf` is when the section speaks of.
 */
export function packIncidents(
  rows: Incident[],
  records: IncidentRecords,
  statusChanges: Map<string, Pick<IncidentTimelineEntry, 'kind' | 'text' | 'at'>[]>,
  policy: IncidentPolicy,
  asOf: FreshnessAsOf,
): PackIncidents {
  const at = new Date(asOf.at);
  const incidents: PackIncident[] = [];
  const clocks: PackIncidentClock[] = [];
  const capas: PackIncidentCapa[] = [];
  for (const row of rows) {
    const { incident, records: then } = incidentAsOf(row, records, at);
    const ref = incidentRef(row.number);
    const facts = factsOf(incident, then);
    const stood = statusAsOf(row, statusChanges.get(row.id) ?? [], at);
    incidents.push({
      ref,
      title: row.title,
      peakSeverity: peakSeverity(facts, policy) ?? row.severity,
      categories: [...row.categories],
      reporterRole: row.reporterRole,
      status: stood.status,
      awareAt: row.awareAt.toISOString(),
      closedAt: iso(stood.closedAt),
    });
    for (const c of incidentClocks(facts, policy, at)) {
      if (c.state === 'not_owed') continue;
      const state = packState(c.state);
      clocks.push({
        ref,
        key: c.key,
        label: c.label,
        group: clockGroup(c.key),
        dueAt: iso(c.dueAt),
        doneAt: iso(c.doneAt),
        state,
        lateReason: state === 'missed' ? c.lateReason : null,
      });
    }
    for (const c of then.capas.get(row.id) ?? []) {
      const status = upTo(c.closedAt, at) ? c.status : 'open';
      capas.push({
        ref,
        title: c.title,
        dueOn: c.dueOn,
        status,
        overdue: status === 'open' && at.getTime() >= endOfDay(c.dueOn).getTime(),
      });
    }
  }
  return { asOf, incidents, clocks, capas, ...incidentCounts(incidents, clocks, capas) };
}

/** The section's counts, from its rows only (so an auditor can check each one against the tables). */
export function incidentCounts(
  incidents: PackIncident[],
  clocks: PackIncidentClock[],
  capas: PackIncidentCapa[],
): Pick<PackIncidents, 'bySeverity' | 'byCategory' | 'clockCounts' | 'capaCounts'> {
  const bySeverity: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  for (const i of incidents) {
    bySeverity[i.peakSeverity] = (bySeverity[i.peakSeverity] ?? 0) + 1;
    for (const c of i.categories) byCategory[c] = (byCategory[c] ?? 0) + 1;
  }
  const zero = (): PackClockCount => ({ met: 0, missed: 0, overdue: 0, running: 0 });
  const clockCounts = { severity: zero(), pdpc_office: zero(), data_subjects: zero(), thai_fda: zero() };
  for (const c of clocks) if (c.state !== 'not_owed') clockCounts[c.group][c.state] += 1;
  const capaCounts = { open: 0, done: 0, accepted: 0, overdue: 0 };
  for (const c of capas) {
    capaCounts[c.status] += 1;
    if (c.overdue) capaCounts.overdue += 1;
  }
  return { bySeverity, byCategory, clockCounts, capaCounts };
}
