// The compliance time zone (TZ_COMPLIANCE, default Asia/Bangkok): the zone whose calendar days periods,
// clocks, sweeps and packs are counted in. One setting for the process, set once from the configuration
// when the application (or a CLI command) starts; the server's own TZ never matters.

/** The zone used when nothing is configured: Thailand (UTC+07:00 all year, no daylight saving time). */
export const DEFAULT_COMPLIANCE_TZ = 'Asia/Bangkok';

let zone = DEFAULT_COMPLIANCE_TZ;

export function complianceTimeZone(): string {
  return zone;
}

/** Called by ConfigModule with the validated TZ_COMPLIANCE. */
export function setComplianceTimeZone(tz: string): void {
  zone = tz;
}

/** How a time in the zone is labelled for people: "ICT" for Asia/Bangkok, else the zone's IANA name. */
export function zoneLabel(tz = zone): string {
  return tz === 'Asia/Bangkok' ? 'ICT' : tz;
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using it (packs format thousands). */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-12-05 15:42" as the wall clock reads in `tz`. */
export function wallClock(at: Date, tz = zone): string {
  let format = wallClockFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallClockFormats.set(tz, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
