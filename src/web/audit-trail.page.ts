// View model of the audit-trail page: the filter form (by person: e-mail, name or actor reference), one page
// of entries with people named and times in the compliance zone, paging links and the verify result. A pure
// function of the trail service's views and the names the controller looked up.
import type { VerifyResult } from '../audit-trail/domain/chain-verifier';
import type { AuditLogEntryView } from '../audit-trail/dto/audit-log-entry.dto';
import type { Page } from '../common/http/pagination';
import { complianceTimeZone, zoneLabel } from '../common/time/zone';
import type { AuditTrailPageQueryDto } from './dto/audit-trail-page.dto';
import { csvHref, type CsvColumn } from './list-csv';

const FILTERS = ['person', 'action', 'subjectType', 'subjectId', 'from', 'to'] as const;
/** Details longer than this are cut on the page; the whole text is in the cell's title. */
export const DETAIL_CHARS = 160;

/** Who the person filter found: one actor, several people to choose from, or nobody. */
export type PersonMatch =
  | { kind: 'none' }
  | { kind: 'actor'; actor: string; label: string }
  | { kind: 'choose'; people: { name: string; email: string }[] }
  | { kind: 'nobody' };

export interface AuditTrailPage {
  pageTitle: string;
  zone: string;
  filter: Record<(typeof FILTERS)[number], string>;
  /** The CSV download of the entries the filters select (every page). */
  csv: string;
  person: { label: string | null; choices: { name: string; email: string; href: string }[]; nobody: boolean };
  entries: {
    seq: number;
    at: string;
    /** `at` in two parts that each stay on one line. */
    atDay: string;
    atClock: string;
    atUtc: string;
    actor: string;
    actorRef: string;
    action: string;
    subject: string;
    subjectRef: string;
    data: string;
    dataFull: string;
    hash: string;
    shortHash: string;
  }[];
  total: number;
  shownFrom: number;
  shownTo: number;
  previous: string | null;
  next: string | null;
  verify: { ok: boolean; headline: string; detail: string };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** "2026-12-07 12:16:03 ICT": the trail's times to the second, in the compliance zone, the zone named. */
export function trailTime(iso: string, tz = complianceTimeZone()): string {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(tz, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zoneLabel(tz)}`;
}

/** A pseudonymous reference as a person reads it: the user's name, or the reference itself (`system:cli`). */
function named(ref: string, names: Map<string, string>): string {
  if (!ref.startsWith('user:')) return ref;
  return names.get(ref.slice(5)) ?? 'a former user';
}

/** Short ids on the page (the whole id in the title): a UUID is 36 characters of unbreakable width. */
const shortId = (id: string) => (/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? `${id.slice(0, 8)}…` : id);

/** One entry as the page shows it. */
export function entryRow(e: AuditLogEntryView, names: Map<string, string>): AuditTrailPage['entries'][number] {
  const data = e.data === null ? '(unreadable)' : Object.keys(e.data).length === 0 ? '' : JSON.stringify(e.data);
  const subjectName = e.subjectType === 'User' && e.subjectId ? names.get(e.subjectId) : undefined;
  const at = trailTime(e.at);
  return {
    seq: e.seq,
    at,
    atDay: at.slice(0, 10),
    atClock: at.slice(11),
    atUtc: e.at,
    actor: named(e.actor, names),
    actorRef: e.actor,
    action: e.action,
    subject: e.subjectId ? `${e.subjectType} ${subjectName ?? shortId(e.subjectId)}` : e.subjectType,
    subjectRef: e.subjectId ? `${e.subjectType} ${e.subjectId}` : e.subjectType,
    data: data.length > DETAIL_CHARS ? `${data.slice(0, DETAIL_CHARS - 1)}…` : data,
    dataFull: data,
    hash: e.hash,
    shortHash: e.hash.slice(0, 12),
  };
}

type EntryRow = AuditTrailPage['entries'][number];

/** The trail as CSV: each entry whole (data untruncated, full hash), people by name and by reference. */
export const TRAIL_CSV_COLUMNS: CsvColumn<EntryRow>[] = [
  { header: 'Seq', value: (e) => e.seq },
  { header: 'At', value: (e) => e.at },
  { header: 'Person', value: (e) => e.actor },
  { header: 'Actor reference', value: (e) => e.actorRef },
  { header: 'Action', value: (e) => e.action },
  { header: 'Subject', value: (e) => e.subjectRef },
  { header: 'Data', value: (e) => e.dataFull },
  { header: 'Hash', value: (e) => e.hash },
];

/** View model of the audit-trail page. `names`: user id → name, for actors and User subjects. */
export function auditTrailPage(
  query: AuditTrailPageQueryDto,
  list: Page<AuditLogEntryView>,
  verify: VerifyResult,
  names: Map<string, string>,
  person: PersonMatch,
): AuditTrailPage {
  const filter = Object.fromEntries(FILTERS.map((f) => [f, query[f] ?? ''])) as AuditTrailPage['filter'];
  const params = (overrides: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const f of FILTERS) if (filter[f]) p.set(f, filter[f]);
    for (const [k, v] of Object.entries(overrides)) p.set(k, v);
    return p;
  };
  const link = (offset: number) => {
    const p = params(list.limit !== 50 ? { limit: String(list.limit) } : {});
    p.set('offset', String(offset));
    return `?${p.toString()}`;
  };
  return {
    pageTitle: 'Audit trail',
    zone: zoneLabel(),
    filter,
    csv: csvHref('/audit-trail/export.csv', filter),
    person: {
      label: person.kind === 'actor' ? person.label : null,
      choices:
        person.kind === 'choose'
          ? person.people.map((x) => ({ ...x, href: `?${params({ person: x.email }).toString()}` }))
          : [],
      nobody: person.kind === 'nobody',
    },
    entries: list.items.map((e) => entryRow(e, names)),
    total: list.total,
    shownFrom: list.items.length === 0 ? 0 : list.offset + 1,
    shownTo: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.items.length < list.total ? link(list.offset + list.limit) : null,
    verify: verify.ok
      ? {
          ok: true,
          headline: 'Chain intact',
          detail: `${verify.entries} entries verified against ${verify.checkpoints} signed checkpoint${verify.checkpoints === 1 ? '' : 's'}.`,
        }
      : {
          ok: false,
          headline: `Broken at entry ${verify.brokenAtSeq}`,
          detail: `Entry ${verify.brokenAtSeq}: ${verify.reason}.`,
        },
  };
}
