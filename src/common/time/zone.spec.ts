import { complianceTimeZone, setComplianceTimeZone, wallClock, zoneLabel } from './zone';
import { dayOf, startOfDay } from './days';
import { isoWeek } from './calendar';

describe('the compliance time zone', () => {
  afterEach(() => setComplianceTimeZone('Asia/Bangkok'));

  it('is Asia/Bangkok until configured, labelled ICT', () => {
    expect(complianceTimeZone()).toBe('Asia/Bangkok');
    expect(zoneLabel()).toBe('ICT');
    expect(wallClock(new Date('2026-12-31T16:59:00Z'))).toBe('2026-12-31 23:59');
  });

  it('once set, every calendar rule counts days in it (the process TZ is UTC in tests)', () => {
    setComplianceTimeZone('America/New_York');
    expect(zoneLabel()).toBe('America/New_York');
    expect(startOfDay('2026-12-31').toISOString()).toBe('2026-12-31T05:00:00.000Z');
    expect(dayOf(new Date('2027-01-01T04:59:00Z'))).toBe('2026-12-31');
    expect(isoWeek(new Date('2027-01-04T04:59:00Z'))).toBe('2026-W53'); // still Sunday 3 January in New York
    expect(wallClock(new Date('2027-01-01T04:59:00Z'))).toBe('2026-12-31 23:59');
  });
});
