// CSV downloads of the list pages (issue 19): the rows the page would list with the same filters, every page
// of them, as the same person may read them (each list's service applies their access, as for the page).
// Spreadsheet-safe: a byte-order mark so that Excel reads Thai as UTF-8, and cells that a spreadsheet would run
// as a formula (= + - @, tab, carriage return first) prefixed with an apostrophe. Times are wall-clock times in
// the compliance zone, named in the column's header, as the pages show them.
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import { RuleViolationError } from '../common/errors/app-error';
import type {} from './web.errors'; // the list.too_long_for_csv code
import type { Page } from '../common/http/pagination';
import { dayOf } from '../common/time/days';
import { complianceTimeZone, wallClock, zoneLabel } from '../common/time/zone';

/** A list longer than this is refused rather than cut short: a CSV that silently stops would mislead. */
export const CSV_MAX_ROWS = 50_000;
/** The largest page every list endpoint serves (PageQueryDto). */
const PAGE = 200;

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvCell;
}

/** Every row of a paged list, page after page, up to CSV_MAX_ROWS (more: a 422 that says to filter). */
export async function allRows<T>(list: (page: { limit: number; offset: number }) => Promise<Page<T>>): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await list({ limit: PAGE, offset });
    if (page.total > CSV_MAX_ROWS) throw tooLong(page.total);
    rows.push(...page.items);
    if (page.items.length < PAGE || rows.length >= page.total) return rows;
  }
}

function tooLong(total: number): RuleViolationError {
  return new RuleViolationError(
    'list.too_long_for_csv',
    `This list has ${total.toLocaleString('en-GB')} rows; a CSV holds at most ${CSV_MAX_ROWS.toLocaleString('en-GB')}. Narrow it with the filters.`,
  );
}

/** A cell as text a spreadsheet shows and never runs. */
function cellText(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The CSV text: byte-order mark, header row, one row per item. */
export function csvText<T>(columns: CsvColumn<T>[], rows: T[]): string {
  const body = stringify([columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => cellText(c.value(r))))]);
  return `\uFEFF${body}`;
}

/** A time column's header: "Due (ICT)". */
export const timeHeader = (name: string) => `${name} (${zoneLabel(complianceTimeZone())})`;

/** An instant as the pages show it, "2026-12-04 18:00" in the compliance zone; empty when there is none. */
export function csvTime(at: string | Date | null | undefined): string {
  return at ? wallClock(new Date(at)) : '';
}

/** Sends the CSV as a download named `attest-<name>-<today>.csv` (today in the compliance zone). */
export async function sendCsv<T>(reply: FastifyReply, name: string, columns: CsvColumn<T>[], rows: T[]) {
  await reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="attest-${name}-${dayOf(new Date())}.csv"`)
    .header('cache-control', 'no-store')
    .send(csvText(columns, rows));
}

/** The page's own filters (no paging) on its CSV link: `/controls/export.csv?department=engineering`. */
export function csvHref(path: string, filters: Record<string, string | boolean | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    params.set(k, v === true ? '1' : String(v));
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
