// Hostile input generated from the API's own description (issue 20): every operation of /api/openapi.json,
// as every demo role, anonymous and an API token, with bodies, query strings and path parameters built from
// the operation's schema and then broken (test/support/openapi-fuzz.ts). Whatever comes in: never a 5xx,
// every 4xx with a body is application/problem+json with a code, a 400's errors name fields, and no answer
// shows a stack trace. Seeded and bounded: FUZZ_RUNS (default 12) inputs per operation, FUZZ_SEED to replay
// a failure (the seed is printed with it), FUZZ_LOG=error to see the server's log of it; bench/fuzz.sh runs
// it long. Defects it found stay below as explicit regression cases.
import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import {
  hostileBody,
  hostilePathValue,
  hostileQuery,
  hostileString,
  leaksStack,
  OpenApiDocument,
  Operation,
  operations,
  uriComponent,
} from '../support/openapi-fuzz';

const SEED = Number(process.env.FUZZ_SEED ?? 202620);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
/** Shrinking re-sends many requests; on by FUZZ_SHRINK=1 when hunting a failure down. */
const SHRINK = process.env.FUZZ_SHRINK === '1';

const ROLES = ['admin', 'compliance', 'owner', 'privacy', 'auditor', 'viewer'] as const;
type Persona = (typeof ROLES)[number] | 'anonymous' | 'token';
const PERSONAS: Persona[] = [...ROLES, 'anonymous', 'token'];

/**
 * Operations whose path parameters only get ids of no row (never the ids of real rows), so the walk does not
 * take away what later requests need: the demo users' accounts and passwords, the API token every `token`
 * request uses, the demo auditor's engagement.
 */
const NO_REAL_IDS: Record<string, string> = {
  'PATCH /api/users/{id}': 'could deactivate or demote a demo user the walk signs in as',
  'POST /api/users/{id}/password-reset': "would end a demo user's password and sessions",
  'DELETE /api/tokens/{id}': "could revoke the walk's own API token",
  'POST /api/engagements/{id}/revoke': "would end the demo auditor's engagement (auditor reads become 403)",
};
/** Operations left out of the walk entirely, and why. None: every operation is a JSON API or takes text. */
const SKIPPED: Record<string, string> = {};

let t: TestApp;
let doc: OpenApiDocument;
let ops: Operation[];
const auth = {} as Record<Persona, string | null>;
/** Ids (or keys, weeks, products) of real rows, by the list route they came from. */
const realIds = new Map<string, string[]>();

async function signInAll(): Promise<void> {
  for (const role of ROLES) auth[role] = await login(t.baseUrl, DEMO[role]);
}

beforeAll(async () => {
  // FUZZ_LOG=error shows the server's log of a 5xx (its stack), which the answer never carries.
  const log: Record<string, string> = process.env.FUZZ_LOG ? { LOG_LEVEL: process.env.FUZZ_LOG } : {};
  t = await startTestApp({ env: { DEMO: '1', LOGIN_RATE_LIMIT: '10000', ...log } });
  await signInAll();
  auth.anonymous = null;
  auth.token = (await client(t.baseUrl, auth.admin)('POST', '/api/tokens', { name: 'fuzz' })).json.token;
  doc = (await client(t.baseUrl, null)('GET', '/api/openapi.json')).json;
  ops = operations(doc);
  for (const op of ops) {
    if (op.method !== 'GET' || op.pathParams.length > 0) continue;
    const res = await client(t.baseUrl, auth.admin)('GET', op.path);
    const items: unknown = Array.isArray(res.json) ? res.json : res.json?.items;
    const rows = Array.isArray(items) ? items : res.json && typeof res.json === 'object' ? [res.json] : [];
    realIds.set(
      op.path,
      rows.flatMap((r: Record<string, unknown>) =>
        ['id', 'key', 'week', 'product'].flatMap((k) => (typeof r?.[k] === 'string' ? [r[k] as string] : [])),
      ),
    );
  }
}, 120_000);
afterAll(async () => t?.close());

/** Real ids for a path parameter: from the list route the template starts with (/api/risks for /api/risks/{id}). */
function idsFor(op: Operation): string[] {
  if (NO_REAL_IDS[`${op.method} ${op.path}`]) return [];
  const prefix = op.path.slice(0, op.path.indexOf('{')).replace(/\/$/, '');
  const sources = prefix === '/api/sweeps' ? ['/api/sweeps/current'] : [prefix];
  return sources.flatMap((s) => realIds.get(s) ?? []).slice(0, 20);
}

interface Sent {
  persona: Persona;
  method: string;
  url: string;
  body?: unknown;
  text?: string;
  contentType?: string;
}

async function send(req: Sent) {
  const cred = auth[req.persona];
  const headers: Record<string, string> = {};
  if (cred)
    headers[cred.startsWith('atk_') ? 'authorization' : 'cookie'] = cred.startsWith('atk_') ? `Bearer ${cred}` : cred;
  let body: string | undefined;
  if (req.text !== undefined) body = req.text;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== undefined) headers['content-type'] = req.contentType ?? 'application/json';
  const res = await fetch(t.baseUrl + req.url, {
    method: req.method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** Every property name anywhere in a schema or a sent body: what a 400's errors[].field may start with. */
function fieldNames(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => fieldNames(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      fieldNames(v, into);
    }
  }
  return into;
}

/** What is wrong with one answer (nothing: []). */
function violations(op: Operation, req: Sent, res: Awaited<ReturnType<typeof send>>): string[] {
  const out: string[] = [];
  if (res.status >= 500) out.push(`answered ${res.status}`);
  if (res.status >= 400 && res.text) {
    if (!res.contentType.startsWith('application/problem+json')) out.push(`a ${res.status} as ${res.contentType}`);
    if (typeof res.json?.code !== 'string' || !res.json.code) out.push(`a ${res.status} without a code`);
  }
  if (res.status === 400 && Array.isArray(res.json?.errors)) {
    const names = fieldNames(op.body ?? {});
    fieldNames(req.body, names);
    for (const n of [...op.pathParams, ...op.queryParams.map((q) => q.name), 'body']) names.add(n);
    for (const e of res.json.errors as { field?: unknown }[]) {
      // CSV and YAML imports name a row and column, or a document and its field.
      if (op.textBody && typeof e.field === 'string' && /^(body$|row \d+, \S|documents\[\d+\])/.test(e.field)) continue;
      // A body the description leaves undocumented (a data-system definition) is only held to naming something.
      if (op.body && !op.body.properties && typeof e.field === 'string' && e.field) continue;
      const first = typeof e.field === 'string' ? e.field.split(/[.[\]]/)[0] : '';
      if (!names.has(first) && !names.has(e.field as string))
        out.push(`a 400 whose errors[].field ${JSON.stringify(e.field)} names no field`);
    }
  }
  if (leaksStack(res.text)) out.push('the answer shows a stack trace');
  return out;
}

const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
};

function request(op: Operation) {
  const pathValue = hostilePathValue(idsFor(op));
  return fc
    .record({
      persona: fc.constantFrom(...PERSONAS),
      params: fc.tuple(...op.pathParams.map(() => pathValue)),
      query: hostileQuery(op),
      body: op.body ? hostileBody(op.body) : fc.constant(undefined),
      text: op.textBody ? hostileString : fc.constant(undefined),
    })
    .map(({ persona, params, query, body, text }): Sent => {
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => uriComponent(params[i++]).replace(/\./g, '%2E'));
      return { persona, method: op.method, url: path + query, body, text, contentType: op.textBody ?? undefined };
    });
}

const thrown = (e: unknown) =>
  e instanceof Error
    ? `threw ${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}`
    : short(e);

/** Runs one operation's property; the failure message (seed, counterexample, what was wrong), or null. */
async function fuzz(op: Operation, seed: number): Promise<string | null> {
  let problem = '';
  const property = fc.asyncProperty(request(op), async (req) => {
    const res = await send(req);
    const wrong = violations(op, req, res);
    if (wrong.length === 0) return true;
    problem =
      `${wrong.join('; ')}\n    as ${req.persona}: ${req.method} ${short(req.url)}` +
      `${req.body === undefined ? '' : `\n    body ${short(req.body)}`}${req.text === undefined ? '' : `\n    text ${short(req.text)}`}` +
      `\n    answer ${res.status} ${short(res.text)}`;
    return false;
  });
  const out = await fc.check(property, { seed, numRuns: RUNS, endOnFailure: !SHRINK });
  if (!out.failed) return null;
  return `${op.method} ${op.path} (FUZZ_SEED=${SEED}, seed ${seed}, run ${out.numRuns}): ${problem || thrown(out.errorInstance)}`;
}

/** A seed per operation, from the run's seed and the operation, so adding an operation does not change the others' inputs. */
const seedFor = (op: Operation) =>
  [...`${op.method} ${op.path}`].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, SEED);

it('reads the API description: every operation is walked, the skips are listed with a reason', () => {
  expect(ops.length).toBeGreaterThanOrEqual(90);
  const keys = ops.map((o) => `${o.method} ${o.path}`);
  for (const key of [...Object.keys(NO_REAL_IDS), ...Object.keys(SKIPPED)]) expect(keys).toContain(key);
  expect(ops.filter((o) => o.body !== null).length).toBeGreaterThanOrEqual(25);
  expect([...realIds.values()].flat().length).toBeGreaterThan(10);
});

it(
  `every operation × role, anonymous and an API token, ${RUNS} hostile inputs each: no 5xx, problem+json with a code, fields named, no stack`,
  async () => {
    const failures: string[] = [];
    for (const op of ops) {
      if (SKIPPED[`${op.method} ${op.path}`]) continue;
      const failure = await fuzz(op, seedFor(op));
      if (failure) failures.push(failure);
      // Signing out (or changing one's password) ends the walk's sessions: sign in again.
      if (op.path === '/api/auth/logout' || op.path === '/api/me/password') await signInAll();
    }
    expect(failures).toEqual([]);
  },
  120_000 + RUNS * 20_000,
); // ~100 operations × RUNS requests; a few take 100 kB bodies

describe('defects the walk found, kept as regression cases', () => {
  const problem = (res: Awaited<ReturnType<typeof send>>) => [
    res.status,
    res.contentType.split(';')[0],
    res.json?.code,
    res.json?.errors,
  ];

  it("a lone surrogate in an e-mail was a 500 (validator's isEmail threw URIError): now a 400 naming the field", async () => {
    const res = await send({
      persona: 'anonymous',
      method: 'POST',
      url: '/api/auth/login',
      body: { email: '\ud800', password: [] },
    });
    expect(problem(res)).toEqual([
      400,
      'application/problem+json',
      'request.invalid_unicode',
      [{ field: 'email', message: expect.stringMatching(/valid Unicode/) }],
    ]);
    const user = await send({
      persona: 'admin',
      method: 'POST',
      url: '/api/users',
      body: { email: 'a\udc00@example.com', name: 'ok', role: 'viewer' },
    });
    expect([user.status, user.json.code, user.json.errors[0].field]).toEqual([400, 'request.invalid_unicode', 'email']);
  });

  it('a JSON array where an object is expected was one "0: is not an allowed field" per element: now one problem naming the body', async () => {
    const res = await send({ persona: 'admin', method: 'POST', url: '/api/sweeps', body: Array(5_000).fill('x') });
    expect(problem(res)).toEqual([
      400,
      'application/problem+json',
      'request.invalid',
      [{ field: 'body', message: 'must be a JSON object' }],
    ]);
    const scalar = await send({ persona: 'owner', method: 'PATCH', url: '/api/me', body: 'x' });
    expect(scalar.json.errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('a URL longer than Node takes was a plain JSON 431 from Fastify: now a problem document', async () => {
    const res = await send({ persona: 'viewer', method: 'GET', url: `/api/controls?q=${'x'.repeat(100_000)}` });
    expect(problem(res)).toEqual([431, 'application/problem+json', 'request.headers_too_large', []]);
  });

  it("a path parameter past Fastify's length limit was a plain JSON 414: now a problem document", async () => {
    const res = await send({ persona: 'viewer', method: 'GET', url: `/api/risks/${'a'.repeat(300)}` });
    expect(problem(res)).toEqual([414, 'application/problem+json', 'request.path_too_long', []]);
  });

  it('a data-system definition that is not an object named the field "" (JSON) or "documents[0]." (YAML)', async () => {
    const json = await send({ persona: 'privacy', method: 'POST', url: '/api/dsr/systems', body: 0 });
    expect([json.status, json.json.code, json.json.errors]).toEqual([
      400,
      'dsr.data_map_invalid',
      [{ field: 'body', message: 'must be an object' }],
    ]);
    const yaml = await send({
      persona: 'privacy',
      method: 'POST',
      url: '/api/dsr/systems/import',
      text: 'Infinity',
      contentType: 'application/yaml',
    });
    expect([yaml.status, yaml.json.errors]).toEqual([400, [{ field: 'documents[0]', message: 'must be an object' }]]);
  });

  it('?offset=99999999999999999999999999 passed @IsInt and was a 500 (OFFSET out of bigint range): now a 400 on every list', async () => {
    const lists = ops.filter((o) => o.method === 'GET' && o.queryParams.some((q) => q.name === 'offset'));
    expect(lists.length).toBeGreaterThanOrEqual(15);
    const answers = [];
    for (const op of lists) {
      const url = `${op.path.replace(/\{[^}]+\}/g, 'x')}?offset=99999999999999999999999999`;
      const res = await send({ persona: 'admin', method: 'GET', url });
      answers.push([op.path, res.status, res.json?.errors?.[0]?.field]);
    }
    // Routes with a path parameter may answer 404 for "x" first; none may answer 5xx, the others name offset.
    for (const [path, status, field] of answers)
      expect([path, status, field]).toEqual(
        String(path).includes('{') && status === 404 ? [path, 404, undefined] : [path, 400, 'offset'],
      );
  });

  it('a key named "constructor" nested in a snapshot\'s data was a 500 (class-transformer, outside the global pipe): now stripped as on every route', async () => {
    const res = await send({
      persona: 'token',
      method: 'POST',
      url: '/api/evidence',
      body: {
        kind: 'snapshot',
        title: 'Config snapshot',
        evidenceDate: '2026-11-20',
        controls: ['ACC-02'],
        periodStart: '2026-10-01',
        periodEnd: '2026-12-31',
        data: { constructor: { a: { a: 1 } }, b: { constructor: 'x' } },
      },
    });
    expect([res.status, res.json?.detail]).toEqual([201, undefined]);
  });

  it('the sweep task and the DSR task bodies (both CompleteTaskDto) were one schema in the API description', () => {
    const body = (path: string) =>
      operations(doc).find((o) => o.method === 'POST' && o.path === path)?.body?.required as string[];
    expect(body('/api/sweep-tasks/{id}/complete')).toEqual(['outcome']);
    expect(body('/api/dsr/tasks/{id}/complete')).toEqual(['note']);
  });
});
