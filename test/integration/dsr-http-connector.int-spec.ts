// The HTTP connector against a small real HTTP server (node:http on a free port) that implements the
// protocol described in src/dsr/connectors/http.connector.ts with an in-memory store and a bearer check.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ValidationError } from '../../src/common/errors/app-error';
import type { SubjectKeys } from '../../src/dsr/domain/dsr-model';
import { DsrConnectorError } from '../../src/dsr/connectors/http-connector.errors';
import { HttpConnector, HttpConnectorOptions, retryAfterMs } from '../../src/dsr/connectors/http.connector';
import type { HttpSystemDefinition } from '../../src/dsr/domain/data-map';

const TOKEN = 'tok_s3cret-value';

type Row = Record<string, unknown> & { id: number; email: string | null; phone: string | null };

/** A tiny CRM: contacts and orders are found by email/phone; invoices are retained by law. */
class FakeCrm {
  tables: Record<string, Row[]> = {
    contacts: [
      { id: 1, email: 'somchai@example.co.th', phone: '66812345678', name: 'สมชาย ใจดี' },
      { id: 2, email: 'other@example.com', phone: '66899999999', name: 'Someone Else' },
    ],
    orders: [
      { id: 10, email: 'somchai@example.co.th', phone: null, item: '=cmd' },
      { id: 11, email: 'other@example.com', phone: null, item: 'book' },
    ],
    invoices: [{ id: 100, email: 'somchai@example.co.th', phone: null, amount: 1200 }],
  };
  nextId = 1000;
  requests: Array<{ path: string; auth: string | undefined; body: unknown }> = [];
  /** Behaviour per path for the next requests: statuses to answer first, a delay, or a raw body. */
  script: Record<
    string,
    Array<{ status?: number; headers?: Record<string, string>; body?: string; delayMs?: number }>
  > = {};

  matches(row: Row, s: SubjectKeys): boolean {
    return (s.email !== null && row.email === s.email) || (s.phone !== null && row.phone === s.phone);
  }

  handle(
    path: string,
    body: { subject: SubjectKeys; seed?: { rows: Array<{ table: string; key: { id: number } }> } },
  ): unknown {
    const s = body.subject;
    switch (path) {
      case '/api/dsr/export':
        return {
          tables: Object.entries(this.tables).map(([table, rows]) => ({
            table,
            ...(table === 'contacts' ? { columns: ['id', 'email', 'phone', 'name'] } : {}),
            rows: rows.filter((r) => this.matches(r, s)),
          })),
        };
      case '/api/dsr/erase': {
        const out = [];
        for (const table of ['contacts', 'orders']) {
          const before = this.tables[table].length;
          this.tables[table] = this.tables[table].filter((r) => !this.matches(r, s));
          out.push({ table, rule: 'delete', rows: before - this.tables[table].length });
        }
        out.push({
          table: 'invoices',
          rule: 'retain',
          rows: this.tables.invoices.filter((r) => this.matches(r, s)).length,
          basis: 'Revenue Code s. 87/3: tax records',
          retention: 'P5Y',
        });
        return { tables: out };
      }
      case '/api/dsr/residue':
        return {
          tables: Object.entries(this.tables).map(([table, rows]) => ({
            table,
            rows: rows.filter(
              (r) => this.matches(r, s) || (body.seed?.rows ?? []).some((k) => k.table === table && k.key.id === r.id),
            ).length,
            retained: table === 'invoices',
            ...(table === 'invoices' ? { basis: 'Revenue Code s. 87/3: tax records' } : {}),
          })),
        };
      case '/api/dsr/seed': {
        const contact = { id: this.nextId++, email: s.email, phone: s.phone, name: 'Drill Subject' };
        const invoice = { id: this.nextId++, email: s.email, phone: null, amount: 1 };
        this.tables.contacts.push(contact);
        this.tables.invoices.push(invoice);
        return {
          rows: [
            { table: 'contacts', key: { id: contact.id }, values: contact },
            { table: 'invoices', key: { id: invoice.id }, values: invoice },
          ],
        };
      }
      case '/api/dsr/seed/remove': {
        let removed = 0;
        for (const k of body.seed!.rows) {
          const before = this.tables[k.table].length;
          this.tables[k.table] = this.tables[k.table].filter((r) => r.id !== k.key.id);
          removed += before - this.tables[k.table].length;
        }
        return { removed };
      }
      default:
        return undefined;
    }
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }
}

let crm: FakeCrm;
let server: Server;
let baseUrl: string;
/** Scripted delays still running, cleared at the end so the worker can exit. */
const delays = new Set<NodeJS.Timeout>();

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

beforeAll(async () => {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    const path = new URL(req.url!, 'http://x').pathname;
    const body = text ? JSON.parse(text) : undefined;
    crm.requests.push({ path, auth: req.headers.authorization, body });
    const step = crm.script[path]?.shift();
    if (step?.delayMs) {
      await new Promise<void>((r) => {
        const timer = setTimeout(() => {
          delays.delete(timer);
          r();
        }, step.delayMs);
        delays.add(timer);
      });
    }
    if (res.destroyed) return;
    if (step?.status !== undefined || step?.body !== undefined) {
      res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
      return res.end(step.body ?? JSON.stringify({ error: `scripted ${step.status}` }));
    }
    if (req.method !== 'POST') return res.writeHead(405).end();
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid token', got: req.headers.authorization }));
    }
    const answer = crm.handle(path, body);
    if (answer === undefined)
      return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such endpoint"}');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  for (const timer of delays) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  crm = new FakeCrm();
});

function definition(http: Partial<HttpSystemDefinition['http']> & { residuePath?: string } = {}): HttpSystemDefinition {
  return {
    key: 'crm',
    name: 'CRM',
    kind: 'http',
    owner: { department: 'Sales' },
    http: {
      baseUrl,
      token: TOKEN,
      exportPath: '/dsr/export',
      erasePath: '/dsr/erase',
      timeoutMs: 2_000,
      retries: 2,
      ...http,
    } as HttpSystemDefinition['http'],
  };
}

const connector = (http: Parameters<typeof definition>[0] = {}, options: HttpConnectorOptions = { backoffMs: 20 }) =>
  new HttpConnector(definition(http), options);

const somchai: SubjectKeys = { email: 'somchai@example.co.th', phone: '66812345678', nationalId: null };

async function failure(p: Promise<unknown>): Promise<DsrConnectorError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DsrConnectorError);
  return e as DsrConnectorError;
}

describe('HttpConnector against a real HTTP server', () => {
  it("exports the subject's rows only, with the bearer token and the subject keys", async () => {
    const c = connector();
    const result = await c.export(somchai);
    expect(result.system).toBe('crm');
    expect(result.tables).toEqual([
      {
        table: 'contacts',
        columns: ['id', 'email', 'phone', 'name'],
        rows: [{ id: 1, email: 'somchai@example.co.th', phone: '66812345678', name: 'สมชาย ใจดี' }],
      },
      {
        table: 'orders',
        columns: ['id', 'email', 'phone', 'item'],
        rows: [{ id: 10, email: 'somchai@example.co.th', phone: null, item: '=cmd' }],
      },
      {
        table: 'invoices',
        columns: ['id', 'email', 'phone', 'amount'],
        rows: [{ id: 100, email: 'somchai@example.co.th', phone: null, amount: 1200 }],
      },
    ]);
    expect(crm.requests).toEqual([{ path: '/api/dsr/export', auth: `Bearer ${TOKEN}`, body: { subject: somchai } }]);
    await c.close();
  });

  it('erases, then the residue check (export again) finds only the retained table, with its basis', async () => {
    const c = connector();
    expect(await c.erase(somchai)).toEqual([
      { table: 'contacts', rule: 'delete', rows: 1 },
      { table: 'orders', rule: 'delete', rows: 1 },
      { table: 'invoices', rule: 'retain', rows: 1, basis: 'Revenue Code s. 87/3: tax records', retention: 'P5Y' },
    ]);
    expect(crm.tables.contacts.map((r) => r.id)).toEqual([2]);
    expect(await c.residue(somchai)).toEqual([
      { table: 'contacts', rows: 0, retained: false },
      { table: 'orders', rows: 0, retained: false },
      { table: 'invoices', rows: 1, retained: true, basis: 'Revenue Code s. 87/3: tax records' },
    ]);
    expect(crm.count('/api/dsr/export')).toBe(1);
  });

  it('reports rows an erasure left behind as residue', async () => {
    const c = connector();
    await c.erase(somchai);
    crm.tables.orders.push({ id: 12, email: 'somchai@example.co.th', phone: null, item: 'missed' });
    expect((await c.residue(somchai)).find((t) => t.table === 'orders')).toEqual({
      table: 'orders',
      rows: 1,
      retained: false,
    });
  });

  it('uses residuePath when the map declares it, passing the seed', async () => {
    const c = connector({ residuePath: '/dsr/residue', seedPath: '/dsr/seed' });
    const drill: SubjectKeys = { email: 'drill+1@attest.invalid', phone: null, nationalId: null };
    const seed = (await c.seed(drill))!;
    expect(seed.system).toBe('crm');
    expect(seed.rows.map((r) => r.table)).toEqual(['contacts', 'invoices']);
    expect(seed.rows[0].values).toMatchObject({ name: 'Drill Subject', email: 'drill+1@attest.invalid' });
    await c.erase(drill);
    expect(await c.residue(drill, seed)).toEqual([
      { table: 'contacts', rows: 0, retained: false },
      { table: 'orders', rows: 0, retained: false },
      { table: 'invoices', rows: 1, retained: true, basis: 'Revenue Code s. 87/3: tax records' },
    ]);
    expect(crm.requests.at(-1)).toMatchObject({ path: '/api/dsr/residue', body: { subject: drill, seed } });
    // The drill cleans what was retained.
    expect(await c.removeSeed(seed)).toBe(1);
    expect(crm.tables.invoices.map((r) => r.id)).toEqual([100]);
    expect(crm.requests.at(-1)).toMatchObject({ path: '/api/dsr/seed/remove', body: { seed } });
  });

  it('has no seed, update or seed removal without a seedPath', async () => {
    const c = connector();
    expect(await c.seed(somchai)).toBeNull();
    expect(await c.update(somchai, { kind: 'restrict' })).toBeNull();
    expect(await c.removeSeed({ system: 'crm', rows: [{ table: 'contacts', key: { id: 1 }, values: {} }] })).toBe(0);
    expect(crm.requests).toEqual([]);
  });

  it('fails at once on 401, without retrying, naming the status and never showing the token', async () => {
    const c = new HttpConnector(
      { ...definition(), http: { ...definition().http, token: 'wrong-token-value' } },
      { backoffMs: 20 },
    );
    const e = await failure(c.export(somchai));
    expect(e).toMatchObject({
      code: 'dsr.connector_failed',
      system: 'crm',
      operation: 'export',
      reason: 'status',
      status: 401,
      attempts: 1,
      request: `POST ${baseUrl}/dsr/export`,
    });
    expect(e.message).toMatch(
      /^crm: POST http:\/\/127\.0\.0\.1:\d+\/api\/dsr\/export answered 401 Unauthorized \(check the token of the data system\): \{"error":"invalid token","got":"Bearer \*\*\*"\}$/,
    );
    expect(e.message).not.toContain('wrong-token-value');
    expect(e.bodyExcerpt).not.toContain('wrong-token-value');
    expect(crm.count('/api/dsr/export')).toBe(1);
  });

  it('fails at once on other 4xx', async () => {
    crm.script['/api/dsr/erase'] = [{ status: 422, body: '{"error":"subject is under a legal hold"}' }];
    const e = await failure(connector().erase(somchai));
    expect(e).toMatchObject({
      reason: 'status',
      status: 422,
      attempts: 1,
      bodyExcerpt: '{"error":"subject is under a legal hold"}',
    });
    expect(crm.count('/api/dsr/erase')).toBe(1);
  });

  it('unlawful processing (s. 33(4)): the erase request says anonymise: false, and an answer that anonymised anyway fails', async () => {
    const c = connector();
    const tables = await c.erase(somchai, { anonymise: false });
    expect(tables.map((t) => t.rule)).not.toContain('anonymise');
    expect(crm.requests.filter((r) => r.path === '/api/dsr/erase').at(-1)!.body).toEqual({
      subject: somchai,
      anonymise: false,
    });
    crm.script['/api/dsr/erase'] = [
      { status: 200, body: JSON.stringify({ tables: [{ table: 'contacts', rule: 'anonymise', rows: 1 }] }) },
    ];
    await expect(connector().erase(somchai, { anonymise: false })).rejects.toThrow(
      /anonymised contacts although the ground is unlawful processing/,
    );
  });

  it('retries 503 twice and then succeeds', async () => {
    crm.script['/api/dsr/export'] = [{ status: 503 }, { status: 503 }];
    const result = await connector().export(somchai);
    expect(result.tables[0].rows).toHaveLength(1);
    expect(crm.count('/api/dsr/export')).toBe(3);
  });

  it('gives up after the configured retries with the last status', async () => {
    crm.script['/api/dsr/export'] = [{ status: 500 }, { status: 502 }, { status: 503, body: 'upstream down' }, {}];
    const e = await failure(connector({ retries: 2 }).export(somchai));
    expect(e).toMatchObject({ reason: 'status', status: 503, attempts: 3, bodyExcerpt: 'upstream down' });
    expect(e.message).toMatch(/answered 503 Service Unavailable \(3 attempts\): upstream down$/);
    expect(crm.count('/api/dsr/export')).toBe(3);
  });

  it('waits as long as a 429 Retry-After says (up to the cap)', async () => {
    crm.script['/api/dsr/export'] = [{ status: 429, headers: { 'retry-after': '1' } }];
    const started = Date.now();
    await connector().export(somchai);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(crm.count('/api/dsr/export')).toBe(2);

    crm.script['/api/dsr/export'] = [{ status: 429, headers: { 'retry-after': '3600' } }];
    const capped = Date.now();
    await connector({}, { backoffMs: 20, maxRetryAfterMs: 100 }).export(somchai);
    expect(Date.now() - capped).toBeLessThan(15_000); // capped at 100 ms, not the hour asked (room for a loaded machine)
  });

  it('times out with a clear error after each attempt', async () => {
    // The server would answer after 30 s: giving up well before (two attempts of 150 ms, with generous room
    // for a loaded machine) shows that each attempt timed out rather than waited for the answer.
    crm.script['/api/dsr/export'] = [{ delayMs: 30_000 }, { delayMs: 30_000 }];
    const started = Date.now();
    const e = await failure(connector({ timeoutMs: 150, retries: 1 }).export(somchai));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(e).toMatchObject({ reason: 'timeout', status: null, attempts: 2 });
    expect(e.message).toMatch(
      /^crm: POST http:\/\/127\.0\.0\.1:\d+\/api\/dsr\/export could not reach the data system \(2 attempts\)$/,
    );
  });

  it('recovers when only the first attempt times out', async () => {
    crm.script['/api/dsr/export'] = [{ delayMs: 1_000 }];
    const result = await connector({ timeoutMs: 150, retries: 1 }).export(somchai);
    expect(result.tables).toHaveLength(3);
  });

  it('retries a network failure, then says only that the system could not be reached (the cause is logged)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(connector({ baseUrl: `http://127.0.0.1:${port}`, retries: 1 }).export(somchai));
    expect(e).toMatchObject({ reason: 'network', attempts: 2 });
    expect(e.message).toMatch(
      /^crm: POST http:\/\/127\.0\.0\.1:\d+\/dsr\/export could not reach the data system \(2 attempts\)$/,
    );
    expect(e.message).not.toMatch(/ECONNREFUSED/);
  });

  it.each([
    [
      'a field of the wrong type',
      '{"tables":[{"table":"contacts","rows":"all of them"}]}',
      /answered 200 but not as the protocol says: tables\[0\]\.rows: must be array \(got string\)$/,
    ],
    ['a missing field', '{"data":[]}', /tables: is required \(array\)$/],
    ['a retained table without basis', null, /tables\[0\]\.basis: is required when rule is retain$/],
    ['an unknown rule', null, /tables\[0\]\.rule: must be one of delete, anonymise, retain$/],
    [
      'a body that is not JSON',
      '<html>Gateway</html>',
      /answered 200 with a body that is not JSON: <html>Gateway<\/html>$/,
    ],
  ])('refuses an answer with %s, naming the field, without retrying', async (what, body, message) => {
    const erase = what.includes('retained') || what.includes('rule');
    const path = erase ? '/api/dsr/erase' : '/api/dsr/export';
    const erased = what.includes('retained')
      ? '{"tables":[{"table":"invoices","rule":"retain","rows":1}]}'
      : '{"tables":[{"table":"x","rule":"shred","rows":1}]}';
    crm.script[path] = [{ status: 200, body: body ?? erased }];
    const c = connector();
    const e = await failure(erase ? c.erase(somchai) : c.export(somchai));
    expect(e.reason).toBe('response_invalid');
    expect(e.message).toMatch(message);
    expect(crm.count(path)).toBe(1);
  });

  it('does not follow a redirect (the token stays with the configured host)', async () => {
    crm.script['/api/dsr/export'] = [
      { status: 307, headers: { location: 'https://elsewhere.example/steal?x=1' }, body: '' },
    ];
    const e = await failure(connector().export(somchai));
    expect(e).toMatchObject({ reason: 'status', status: 307, attempts: 1 });
    expect(e.message).toContain('a redirect to https://elsewhere.example/steal; not followed');
  });

  it('refuses to export or erase for a subject without keys', async () => {
    const none = { email: null, phone: null, nationalId: null };
    await expect(connector().export(none)).rejects.toBeInstanceOf(ValidationError);
    await expect(connector().erase(none)).rejects.toMatchObject({ code: 'dsr.subject_keys_missing' });
    expect(crm.requests).toEqual([]);
  });

  it('close() abandons a request in flight', async () => {
    crm.script['/api/dsr/export'] = [{ delayMs: 1_000 }];
    const c = connector({ timeoutMs: 5_000 });
    const pending = c.export(somchai);
    setTimeout(() => void c.close(), 50);
    const e = await failure(pending);
    expect(e.reason).toBe('unavailable');
    await expect(c.export(somchai)).rejects.toMatchObject({ reason: 'unavailable' });
  });

  describe('check()', () => {
    it('passes for a working service: a probe export for a subject with no keys returns no rows', async () => {
      await connector().check();
      expect(crm.requests).toEqual([
        {
          path: '/api/dsr/export',
          auth: `Bearer ${TOKEN}`,
          body: { subject: { email: null, phone: null, nationalId: null } },
        },
      ]);
    });

    it.each([
      ['a refused token', { token: 'nope' }, undefined, 'http.token', /was refused \(401\)/],
      [
        'a wrong export path',
        { exportPath: '/v2/export' },
        undefined,
        'http.exportPath',
        /no export endpoint there \(404\)/,
      ],
      [
        'an unreachable host',
        { baseUrl: 'http://127.0.0.1:9', retries: 0 },
        undefined,
        'http.baseUrl',
        /^could not reach the data system$/,
      ],
      [
        'a bad answer',
        {},
        '{"tables":{}}',
        'http.exportPath',
        /not as the protocol says: tables: must be array \(got object\)/,
      ],
      [
        'rows for nobody',
        {},
        '{"tables":[{"table":"contacts","rows":[{"id":1}]}]}',
        'http.exportPath',
        /returned 1 row\(s\) for a subject whose keys are all null/,
      ],
    ])('names the field for %s', async (_what, http, answer, field, message) => {
      if (answer) crm.script['/api/dsr/export'] = [{ status: 200, body: answer }];
      const error = await connector(http as Parameters<typeof definition>[0])
        .check()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('dsr.data_map_invalid');
      expect((error as ValidationError).errors).toEqual([{ field, message: expect.stringMatching(message) }]);
    });

    it('names a missing token without calling the service', async () => {
      const d = definition();
      delete d.http.token;
      const error = await new HttpConnector(d).check().catch((e: unknown) => e);
      expect((error as ValidationError).errors).toEqual([{ field: 'http.token', message: 'is required' }]);
      expect(crm.requests).toEqual([]);
    });

    it('takes the token supplied apart from the definition', async () => {
      const d = definition();
      delete d.http.token;
      await new HttpConnector(d, { token: TOKEN }).check();
    });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, capped; null when absent or unreadable', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('2', 30_000, now)).toBe(2_000);
    expect(retryAfterMs('120', 30_000, now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', 30_000, now)).toBe(5_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', 30_000, now)).toBe(0);
    expect(retryAfterMs(null, 30_000, now)).toBeNull();
    expect(retryAfterMs('soon', 30_000, now)).toBeNull();
  });
});
