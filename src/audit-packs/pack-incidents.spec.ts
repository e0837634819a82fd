import { join } from 'node:path';
import {
  INCIDENT_PERIOD,
  INCIDENT_PERIOD_END,
  incidentRecords,
  incidentRows,
  incidentStatusChanges,
  LATE_REASON,
} from '../../test/fixtures/pack-incidents';
import type { IncidentTimelineEntry } from '../incidents/incident-records.entity';
import { loadIncidentPolicy } from '../incidents/incident-policy-loader';
import { freshnessAsOf } from './domain/pack-period';
import { packIncidents, parseStatusChange, statusAsOf } from './pack-incidents';
import type { PackIncidents } from './pack-model';

const policy = loadIncidentPolicy(join(__dirname, '..', '..', 'controls')).policy!;
type StatusChange = Pick<IncidentTimelineEntry, 'kind' | 'text' | 'at'>;
const build = (builtAt: Date, rows = incidentRows(), changes: Map<string, StatusChange[]> = incidentStatusChanges()) =>
  packIncidents(rows, incidentRecords(), changes, policy, freshnessAsOf(INCIDENT_PERIOD.to, builtAt));

/** Every count recomputed from the rows the section lists, the way an auditor would tally the tables. */
function tally(s: PackIncidents) {
  const count = <T>(rows: T[], keyOf: (r: T) => string[]) => {
    const out: Record<string, number> = {};
    for (const r of rows) for (const k of keyOf(r)) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  const clockCounts = Object.fromEntries(
    (['severity', 'pdpc_office', 'data_subjects', 'thai_fda'] as const).map((g) => {
      const rows = s.clocks.filter((c) => c.group === g);
      const n = (state: string) => rows.filter((c) => c.state === state).length;
      return [g, { met: n('met'), missed: n('missed'), overdue: n('overdue'), running: n('running') }];
    }),
  );
  return {
    bySeverity: count(s.incidents, (i) => [i.peakSeverity]),
    byCategory: count(s.incidents, (i) => i.categories),
    clockCounts,
    capaCounts: {
      open: s.capas.filter((c) => c.status === 'open').length,
      done: s.capas.filter((c) => c.status === 'done').length,
      accepted: s.capas.filter((c) => c.status === 'accepted').length,
      overdue: s.capas.filter((c) => c.overdue).length,
    },
  };
}

describe('packIncidents: the audit pack incidents section', () => {
  const builtAfter = new Date('2026-07-10T03:00:00.000Z');

  it('states everything as of the period end when built after it, leaving out what was recorded later', () => {
    const s = build(builtAfter);
    expect(s.asOf).toMatchObject({ basis: 'period_end', at: INCIDENT_PERIOD_END.toISOString() });
    expect(s.incidents.map((i) => [i.ref, i.peakSeverity])).toEqual([
      ['INC-0001', 'SEV2'],
      ['INC-0002', 'SEV3'],
      ['INC-0003', 'SEV1'],
      ['INC-0004', 'SEV4'], // raised to SEV2 only after the end
      ['INC-0005', 'SEV2'],
    ]);
    const clock = (ref: string, key: string) => s.clocks.find((c) => c.ref === ref && c.key === key);
    expect(clock('INC-0001', 'breach_office')).toMatchObject({ state: 'met', lateReason: null });
    expect(clock('INC-0002', 'breach_office')).toMatchObject({ state: 'missed', lateReason: LATE_REASON });
    expect(clock('INC-0002', 'acknowledge')).toMatchObject({ state: 'missed', lateReason: null });
    expect(clock('INC-0004', 'acknowledge')).toMatchObject({ state: 'running', doneAt: null }); // acknowledged after
    expect(clock('INC-0005', 'breach_office')).toMatchObject({ state: 'running', doneAt: null }); // notified after
    expect(clock('INC-0002', 'breach_subjects')).toBeUndefined(); // not owed (risk, not high risk)
    expect(s.capas.find((c) => c.title === 'Rotate exposed keys')).toMatchObject({ status: 'open', overdue: false });
    expect(s.capas.find((c) => c.title === 'Bucket policy linter')).toMatchObject({ status: 'open', overdue: true });
  });

  it('has the expected counts, and every count equals the tally of the rows shown', () => {
    const s = build(builtAfter);
    expect(s.bySeverity).toEqual({ SEV1: 1, SEV2: 2, SEV3: 1, SEV4: 1 });
    expect(s.byCategory).toEqual({ personal_data_breach: 3, security: 1, clinical_safety: 1, availability: 1 });
    expect(s.clockCounts).toEqual({
      severity: { met: 5, missed: 1, overdue: 0, running: 2 },
      pdpc_office: { met: 1, missed: 1, overdue: 0, running: 1 },
      data_subjects: { met: 1, missed: 0, overdue: 0, running: 0 },
      thai_fda: { met: 2, missed: 0, overdue: 0, running: 0 },
    });
    expect(s.capaCounts).toEqual({ open: 2, done: 1, accepted: 1, overdue: 1 });
    expect(tally(s)).toEqual({
      bySeverity: s.bySeverity,
      byCategory: s.byCategory,
      clockCounts: s.clockCounts,
      capaCounts: s.capaCounts,
    });
  });

  it('speaks of the build moment when built before the period ends', () => {
    const builtAt = new Date('2026-06-30T12:00:00.000Z'); // 19:00 ICT on the last day
    const s = build(builtAt);
    expect(s.asOf).toMatchObject({ basis: 'built', at: builtAt.toISOString() });
    // INC-0004 was aware at 17:00 ICT: its acknowledgement (the next day) is not counted yet.
    expect(s.clocks.find((c) => c.ref === 'INC-0004' && c.key === 'acknowledge')?.state).toBe('running');
    // INC-0005's first update to users (due 03:00 ICT the next day) is still running.
    expect(s.clocks.find((c) => c.ref === 'INC-0005' && c.key === 'user_update')?.state).toBe('running');
    expect(tally(s).clockCounts).toEqual(s.clockCounts);
  });

  it('names no person: no user id or actor anywhere in the section', () => {
    const json = JSON.stringify(build(builtAfter));
    for (const r of incidentRows()) {
      expect(json).not.toContain(r.reporterUserId);
      expect(json).not.toContain(r.description);
    }
    expect(json).toContain('control_owner');
  });

  describe('status and closed-at as of the period end', () => {
    const END = INCIDENT_PERIOD_END.getTime();
    const change = (text: string, at: number) => ({ kind: 'status_change', text, at: new Date(at) }) as StatusChange;
    /** INC-0004 closed at `closedAt`: detect → contain an hour before, then contain → closed. */
    const closedAtMs = (closedAt: number) => {
      const rows = incidentRows();
      rows[3] = { ...rows[3], status: 'closed', closedAt: new Date(closedAt) };
      const changes: Map<string, StatusChange[]> = incidentStatusChanges();
      changes.set(rows[3].id, [
        change('Reported with the report form as SEV4 (availability)', rows[3].awareAt.getTime()),
        change('detect → contain', closedAt - 3_600_000),
        change('contain → closed', closedAt),
      ]);
      return { rows, changes };
    };
    const inc4 = (s: PackIncidents) => s.incidents.find((i) => i.ref === 'INC-0004')!;

    it('an incident closed exactly at the period end instant is closed, with its closed-at', () => {
      const { rows, changes } = closedAtMs(END);
      expect(inc4(build(builtAfter, rows, changes))).toMatchObject({
        status: 'closed',
        closedAt: INCIDENT_PERIOD_END.toISOString(),
      });
    });

    it('an incident closed one millisecond after the period end is at its stage then, with no closed-at', () => {
      const { rows, changes } = closedAtMs(END + 1);
      expect(inc4(build(builtAfter, rows, changes))).toMatchObject({ status: 'contain', closedAt: null });
    });

    it('an incident closed before the period end is closed, with its closed-at', () => {
      const { rows, changes } = closedAtMs(END - 86_400_000);
      expect(inc4(build(builtAfter, rows, changes))).toMatchObject({
        status: 'closed',
        closedAt: new Date(END - 86_400_000).toISOString(),
      });
    });

    it('the fixture: INC-0004 closed after the end is shown in detection, not closed; the others as they were', () => {
      const s = build(builtAfter);
      expect(s.incidents.map((i) => [i.ref, i.status, i.closedAt])).toEqual([
        ['INC-0001', 'closed', '2026-04-10T03:00:00.000Z'],
        ['INC-0002', 'learn', null],
        ['INC-0003', 'closed', '2026-06-25T03:00:00.000Z'],
        ['INC-0004', 'detect', null],
        ['INC-0005', 'analyze', null],
      ]);
      // Its closing after the end stopped no clock at the end: its acknowledgement is still running then.
      expect(s.clocks.find((c) => c.ref === 'INC-0004' && c.key === 'acknowledge')?.state).toBe('running');
    });

    it('a period ending after the build is stated as at the build: closed-at and status as recorded', () => {
      const { rows, changes } = closedAtMs(END - 6 * 3_600_000); // 2026-06-30T11:00Z
      const s = build(new Date(END - 5 * 3_600_000), rows, changes);
      expect(s.asOf.basis).toBe('built');
      expect(inc4(s)).toMatchObject({ status: 'closed', closedAt: new Date(END - 6 * 3_600_000).toISOString() });
      // Before that closing, the same incident is at its stage then.
      const earlier = build(new Date(END - 6.5 * 3_600_000), rows, changes);
      expect(inc4(earlier)).toMatchObject({ status: 'contain', closedAt: null });
    });

    it('an incident closed after the end with no recorded status change after it is open at an unstated stage', () => {
      const { rows } = closedAtMs(END + 1);
      expect(inc4(build(builtAfter, rows, new Map()))).toMatchObject({ status: null, closedAt: null });
    });

    it('reads only the status changes the service writes ("from → to"), not the report entry', () => {
      expect(parseStatusChange('fix → closed')).toEqual({ from: 'fix', to: 'closed' });
      expect(parseStatusChange('Reported with the report form as SEV2 (security)')).toBeNull();
      expect(parseStatusChange('fix → reopened')).toBeNull();
      const at = new Date(END);
      const changes = [change('detect → contain', END + 5), change('contain → fix', END + 10)];
      expect(statusAsOf({ status: 'fix', closedAt: null }, changes, at)).toEqual({ status: 'detect', closedAt: null });
      expect(statusAsOf({ status: 'fix', closedAt: null }, [], at)).toEqual({ status: 'fix', closedAt: null });
    });
  });
});
