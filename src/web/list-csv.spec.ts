import { parse } from 'csv-parse/sync';
import { RuleViolationError } from '../common/errors/app-error';
import type { Page } from '../common/http/pagination';
import { allRows, CSV_MAX_ROWS, csvHref, csvText, type CsvColumn } from './list-csv';

interface Row {
  name: string;
  n: number | null;
  ok: boolean;
}
const columns: CsvColumn<Row>[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'N', value: (r) => r.n },
  { header: 'OK', value: (r) => r.ok },
];

/** A list of `total` numbered rows served page by page, as the services do. */
const numbered = (total: number) => {
  const asked: Array<{ limit: number; offset: number }> = [];
  const list = async (page: { limit: number; offset: number }): Promise<Page<number>> => {
    asked.push(page);
    const items = Array.from(
      { length: Math.max(0, Math.min(page.limit, total - page.offset)) },
      (_, i) => page.offset + i,
    );
    return { items, total, ...page };
  };
  return { list, asked };
};

describe('CSV of a list', () => {
  it('starts with a byte-order mark and the header, and reads back as written (Thai, commas, quotes, new lines)', () => {
    const text = csvText(columns, [
      { name: 'สมชาย, "ใจดี"\nline two', n: 3, ok: true },
      { name: '', n: null, ok: false },
    ]);
    expect(text.startsWith('\uFEFFName,N,OK\n')).toBe(true);
    expect(parse(text.slice(1))).toEqual([
      ['Name', 'N', 'OK'],
      ['สมชาย, "ใจดี"\nline two', '3', 'yes'],
      ['', '', 'no'],
    ]);
  });

  it.each(['=HYPERLINK("http://x")', '+1+1', '-2', '@SUM(A1)', '\tx', '\rx'])(
    'never lets a spreadsheet run %p as a formula',
    (cell) => {
      const [, row] = parse(csvText(columns, [{ name: cell, n: -1, ok: true }]).slice(1), { relax_quotes: true });
      expect(row[0]).toBe(`'${cell}`);
      expect(row[1]).toBe("'-1"); // a negative number too: it starts with "-"
    },
  );

  it('collects every page, and stops at the last one', async () => {
    const { list, asked } = numbered(450);
    const rows = await allRows(list);
    expect(rows).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(asked).toEqual([
      { limit: 200, offset: 0 },
      { limit: 200, offset: 200 },
      { limit: 200, offset: 400 },
    ]);
  });

  it('an empty list is just the header', async () => {
    expect(await allRows(numbered(0).list)).toEqual([]);
    expect(csvText(columns, [])).toBe('\uFEFFName,N,OK\n');
  });

  it('refuses a list longer than the limit rather than cutting it short', async () => {
    const { list, asked } = numbered(CSV_MAX_ROWS + 1);
    const refused = await allRows(list).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuleViolationError);
    expect(refused).toMatchObject({ code: 'list.too_long_for_csv' });
    expect((refused as Error).message).toMatch(
      /50,001 rows; a CSV holds at most 50,000\. Narrow it with the filters\./,
    );
    expect(asked).toHaveLength(1); // found out on the first page
    expect(await allRows(numbered(CSV_MAX_ROWS).list)).toHaveLength(CSV_MAX_ROWS);
  });

  it('links keep the filters that are set, and only those', () => {
    expect(csvHref('/controls/export.csv', { department: 'engineering', q: '', owner: undefined })).toBe(
      '/controls/export.csv?department=engineering',
    );
    expect(csvHref('/dsr/export.csv', { open: true, overdue: false, q: 'DSR 1&2' })).toBe(
      '/dsr/export.csv?open=1&q=DSR+1%262',
    );
    expect(csvHref('/releases/export.csv', {})).toBe('/releases/export.csv');
  });
});
