import { join } from 'node:path';
import {
  INCIDENT_PERIOD,
  INCIDENT_PERIOD_END,
  incidentRecords,
  incidentRows,
  LATE_REASON,
} from '../../test/fixtures/pack-incidents';
import { loadIncidentPolicy } from '../incidents/incident-policy-loader';
import { freshnessAsOf } from './domain/pack-period';
import { packIncidents } from './pack-incidents';
import type { PackIncidents } from './pack-model';

const policy = loadIncidentPolicy(join(__dirname, '..', '..', 'controls')).policy!;
const build = (builtAt: Date) =>
  packIncidents(incidentRows(), incidentRecords(), policy, freshnessAsOf(INCIDENT_PERIOD.to, builtAt));

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
});
