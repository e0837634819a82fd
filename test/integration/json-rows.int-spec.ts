// jsonRows() sends many rows as one parameter (issue 15: the catalog sync's upserts and links, the audit
// trail's batch append). On real PostgreSQL every value must arrive exactly as node-postgres would have
// stored it from an ordinary parameter: quotes, backslashes, control characters, non-ASCII text, NULLs,
// JSON values, instants to the millisecond, big numbers, a lone surrogate (U+FFFD either way), and more
// rows than the 65,535 parameters one statement may have.
import { DataSource } from 'typeorm';
import { jsonRows, type JsonColumn } from '../../src/common/db/json-rows';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  await ds.query(`CREATE TABLE json_rows_probe (n bigint, t text, j jsonb, at timestamptz, u uuid, b boolean)`);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

interface Row {
  n: number | null;
  t?: string | null;
  j?: unknown;
  at?: Date | null;
  u?: string | null;
  b?: boolean;
}

const COLUMNS: JsonColumn<Row>[] = [
  { name: 'n', type: 'bigint', value: (r) => r.n },
  { name: 't', type: 'text', value: (r) => r.t },
  { name: 'j', type: 'jsonb', value: (r) => r.j },
  { name: 'at', type: 'timestamptz', value: (r) => r.at },
  { name: 'u', type: 'uuid', value: (r) => r.u },
  { name: 'b', type: 'boolean', value: (r) => r.b },
];

async function roundTrip(rows: Row[]): Promise<Row[]> {
  await ds.query(`TRUNCATE json_rows_probe`);
  const source = jsonRows(rows, COLUMNS);
  await ds.query(`INSERT INTO json_rows_probe SELECT * FROM ${source.from} AS u`, [source.param]);
  return ds.query(`SELECT n::float8 AS n, t, j, at, u, b FROM json_rows_probe ORDER BY n`);
}

const TEXTS = [
  'plain',
  'say "hi"',
  'back\\slash and \\" both',
  'line\nbreak\ttab\r\u0001\u001f',
  'ไทย ภาษา',
  'emoji 😀 pair',
  '',
  '{"looks":"like json"}',
  "it's",
];

it('stores every value as an ordinary parameter would, NULL for null and missing values', async () => {
  const at = new Date('2026-12-07T14:01:06.123Z');
  const rows: Row[] = TEXTS.map((t, i) => ({
    n: i,
    t,
    j: i % 2 ? [t, i] : { text: t, nested: { i } },
    at: new Date(at.getTime() + i),
    u: `00000000-0000-4000-8000-00000000000${i}`,
    b: i % 2 === 0,
  }));
  rows.push({ n: 100, t: null, j: null, at: null, u: null }, { n: 2 ** 53 - 1 });
  const stored = await roundTrip(rows);
  expect(stored).toEqual([
    ...TEXTS.map((t, i) => ({
      n: i,
      t,
      j: i % 2 ? [t, i] : { text: t, nested: { i } },
      at: new Date(at.getTime() + i),
      u: `00000000-0000-4000-8000-00000000000${i}`,
      b: i % 2 === 0,
    })),
    { n: 100, t: null, j: null, at: null, u: null, b: null },
    { n: 2 ** 53 - 1, t: null, j: null, at: null, u: null, b: null },
  ]);
  // The same texts through ordinary parameters read back identical.
  for (const t of TEXTS) expect((await ds.query(`SELECT $1::text AS t`, [t]))[0].t).toBe(t);
});

it('stores a lone surrogate as U+FFFD, as an ordinary text parameter does, instead of failing', async () => {
  const lone = 'half \ud83d of an emoji, and \udc00 alone';
  const stored = await roundTrip([{ n: 1, t: lone, j: [lone] }]);
  const ordinary: string = (await ds.query(`SELECT $1::text AS t`, [lone]))[0].t;
  expect(ordinary).toBe('half \ufffd of an emoji, and \ufffd alone');
  expect(stored[0].t).toBe(ordinary);
  expect(stored[0].j).toEqual([ordinary]);
  // A text that only looks like an escaped surrogate is kept as it is.
  expect((await roundTrip([{ n: 2, t: 'a \\ud83d b' }]))[0].t).toBe('a \\ud83d b');
});

it('sends more rows than one statement could have parameters, in one parameter', async () => {
  const rows: Row[] = Array.from({ length: 70_000 }, (_, i) => ({ n: i, t: `row "${i}"` }));
  const source = jsonRows(rows, COLUMNS);
  expect(source.from.match(/\$\d+/g)).toEqual(['$1']);
  const stored = await roundTrip(rows);
  expect(stored).toHaveLength(70_000);
  expect(stored[69_999]).toMatchObject({ n: 69_999, t: 'row "69999"' });
});
