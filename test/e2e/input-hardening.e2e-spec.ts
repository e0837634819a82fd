// Hostile input over real HTTP (issue 13): NUL characters anywhere (body, query, form, multipart, CSV cell,
// YAML) are a 400 naming the field, never PostgreSQL's 500; JSON nested past the depth limit and YAML alias
// bombs are a 400 with a clear message; text evidence keeps no misleading .html name; creating a risk whose
// ref sits in a register the actor cannot read does not name it; a data-system URL cannot be used to learn
// which internal ports are open, and DSR_CONNECTOR_ALLOWED_HOSTS keeps connectors to the hosts it names.
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let as: Record<'compliance' | 'owner' | 'privacy', ReturnType<typeof client>>;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  for (const who of ['compliance', 'owner', 'privacy'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
  }
});
afterAll(async () => t?.close());

const NUL = '\u0000';

function expectNulProblem(res: { status: number; headers: Headers; json: any }, field: string) {
  expect([res.status, res.headers.get('content-type')]).toEqual([
    400,
    expect.stringMatching(/^application\/problem\+json/),
  ]);
  expect(res.json.code).toBe('request.nul_character');
  expect(res.json.errors).toEqual([{ field, message: expect.stringMatching(/NUL character/) }]);
}

describe('NUL characters are refused with a 400 naming the field', () => {
  it('in the unauthenticated login body', async () => {
    expectNulProblem(
      await client(t.baseUrl, null)('POST', '/api/auth/login', { email: `admin${NUL}@demo.local`, password: 'x' }),
      'email',
    );
  });

  it('in fields of a create body, nested ones named by their path', async () => {
    const res = await as.compliance('POST', '/api/risks', {
      register: 'security',
      ref: 'SEC-901',
      product: 'nul',
      title: `A title${NUL}`,
      severity: 'I2',
      probability: 'L2',
      controls: [{ type: 'protective_measure', description: `Lock it${NUL}` }],
    });
    expect([res.status, res.json.code]).toEqual([400, 'request.nul_character']);
    expect(res.json.errors.map((e: { field: string }) => e.field)).toEqual(['title', 'controls.0.description']);
  });

  it('in a query parameter', async () => {
    expectNulProblem(await as.compliance('GET', '/api/controls?q=ac%00'), 'q');
  });

  it('in a form field of a page', async () => {
    const res = await fetch(`${t.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'email=admin%00%40demo.local&password=x',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors).toEqual([
      { field: 'email', message: expect.stringMatching(/NUL character/) },
    ]);
  });

  it('in a multipart field of an upload', async () => {
    const form = new FormData();
    form.append('title', `Access review${NUL}`);
    form.append('controls', 'ENG-01');
    form.append('evidenceDate', '2026-11-20');
    form.append('periodStart', '2026-10-01');
    form.append('periodEnd', '2026-12-31');
    form.append('file', new Blob([Buffer.from('%PDF-1.7\nhello')]), 'review.pdf');
    const res = await fetch(`${t.baseUrl}/api/evidence`, {
      method: 'POST',
      headers: { cookie: cookies.owner },
      body: form,
    });
    const body = (await res.json()) as any;
    expect([res.status, body.code, body.errors]).toEqual([
      400,
      'request.nul_character',
      [{ field: 'title', message: expect.stringMatching(/NUL character/) }],
    ]);
  });

  it('in a CSV cell of the risk import, naming row and column', async () => {
    const csv = `register,ref,product,title,severity,probability\nsecurity,SEC-902,nul,Fine title,I2,L2\nsecurity,SEC-903,nul,Bad${NUL}title,I2,L2\n`;
    const res = await fetch(`${t.baseUrl}/api/risks/import`, {
      method: 'POST',
      headers: { cookie: cookies.compliance, 'content-type': 'text/csv' },
      body: csv,
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.detail).toMatch(/row 3, title: must not contain the NUL character/);
    expect(
      (await as.compliance('GET', '/api/risks?register=security')).json.items.map((r: { ref: string }) => r.ref),
    ).not.toContain('SEC-902');
  });

  it('in a YAML data-system import, naming the document and field', async () => {
    const yaml = `key: nul-files\nname: "Paper${'\\0'}files"\nkind: manual\nowner: { department: engineering }\nmanual:\n  checklist: [Shred it]\n`;
    const res = await fetch(`${t.baseUrl}/api/dsr/systems/import`, {
      method: 'POST',
      headers: { cookie: cookies.privacy, 'content-type': 'application/yaml' },
      body: yaml,
    });
    const body = (await res.json()) as any;
    expect([res.status, body.errors]).toEqual([
      400,
      [{ field: 'documents[0].name', message: expect.stringMatching(/NUL character/) }],
    ]);
  });
});

describe('nesting and alias limits', () => {
  it('JSON nested 100 000 levels deep to the unauthenticated login is a 400 naming the limit', async () => {
    const deep = `{"email":${'['.repeat(100_000)}${']'.repeat(100_000)},"password":"x"}`;
    const res = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    const body = (await res.json()) as any;
    expect([res.status, body.code]).toEqual([400, 'request.json_too_deep']);
    expect(body.errors).toEqual([{ field: 'body', message: expect.stringMatching(/nested deeper than 128 levels/) }]);
  });

  it('JSON nested within the limit still reaches validation', async () => {
    const res = await client(t.baseUrl, null)('POST', '/api/auth/login', { email: [[[[['x']]]]], password: 'x' });
    expect([res.status, res.json.errors[0].field]).toEqual([400, 'email']);
  });

  it('YAML with an alias bomb to the data-system import is a 400 naming the aliases', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const yaml = `key: bomb\nname: Bomb\nkind: manual\nowner: { department: engineering }\nmanual:\n  checklist: [x]\n${levels.join('\n')}\n`;
    const res = await fetch(`${t.baseUrl}/api/dsr/systems/import`, {
      method: 'POST',
      headers: { cookie: cookies.privacy, 'content-type': 'application/yaml' },
      body: yaml,
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.errors[0]).toEqual({
      field: 'documents[0]',
      message: expect.stringMatching(/YAML aliases .* are not allowed/),
    });
  });
});

describe('data-system connectors are no port scanner', () => {
  /** A TCP service that is not HTTP (what an internal Redis or SSH port looks like), counting connections. */
  async function notHttp() {
    let connections = 0;
    const server = createTcpServer((socket) => {
      connections++;
      socket.end('SSH-2.0-OpenSSH_9.6\r\n', () => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: (server.address() as AddressInfo).port,
      connections: () => connections,
      close: () => new Promise((r) => server.close(r)),
    };
  }
  const system = (key: string, baseUrl: string) => ({
    key,
    name: key,
    kind: 'http',
    owner: { department: 'engineering' },
    http: { baseUrl, token: 'x'.repeat(24), timeoutMs: 1000, retries: 0 },
  });

  it('an open non-HTTP port and a closed one answer the same words', async () => {
    const open = await notHttp();
    const closed = await notHttp();
    await closed.close();
    try {
      const a = await as.privacy('POST', '/api/dsr/systems', system('probe-open', `http://127.0.0.1:${open.port}`));
      const b = await as.privacy('POST', '/api/dsr/systems', system('probe-closed', `http://127.0.0.1:${closed.port}`));
      expect(open.connections()).toBe(1);
      expect([a.status, a.json.errors]).toEqual([
        400,
        [{ field: 'http.baseUrl', message: 'could not reach the data system' }],
      ]);
      expect([b.status, b.json.errors]).toEqual([
        400,
        [{ field: 'http.baseUrl', message: 'could not reach the data system' }],
      ]);
    } finally {
      await open.close();
    }
  });

  it('with DSR_CONNECTOR_ALLOWED_HOSTS set, a host not on it is refused without being contacted', async () => {
    const target = await notHttp();
    const listed = await startTestApp({
      env: { DEMO: '1', DSR_CONNECTOR_ALLOWED_HOSTS: 'crm.internal, *.svc.example' },
    });
    try {
      const privacy = client(listed.baseUrl, await login(listed.baseUrl, DEMO.privacy));
      const res = await privacy('POST', '/api/dsr/systems', system('probe', `http://127.0.0.1:${target.port}`));
      expect([res.status, res.json.errors]).toEqual([
        400,
        [
          {
            field: 'http.baseUrl',
            message: `names a host this server may not reach (127.0.0.1:${target.port} is not in DSR_CONNECTOR_ALLOWED_HOSTS)`,
          },
        ],
      ]);
      const yaml = `key: probe\nname: Probe\nkind: postgres\nowner: { department: engineering }\npostgres:\n  url: postgres://x:y@127.0.0.1:${target.port}/db\n  tables: [{ table: t, find: { email: e_mail }, export: [id], erase: { rule: delete } }]\n`;
      const imported = await fetch(`${listed.baseUrl}/api/dsr/systems/import`, {
        method: 'POST',
        headers: { cookie: await login(listed.baseUrl, DEMO.privacy), 'content-type': 'application/yaml' },
        body: yaml,
      });
      const body = (await imported.json()) as any;
      expect([imported.status, body.errors?.[0]?.field]).toEqual([400, 'documents[0].postgres.url']);
      expect(target.connections()).toBe(0);
    } finally {
      await listed.close();
      await target.close();
    }
  });
});

describe('text evidence named .html', () => {
  it('is stored under a name whose extension matches its sniffed type', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      title: 'Runbook',
      controls: 'ENG-01',
      evidenceDate: '2026-11-20',
      periodStart: '2026-10-01',
      periodEnd: '2026-12-31',
    }))
      form.append(k, v);
    form.append('file', new Blob([Buffer.from('Restart the service, then check the logs.\n')]), 'runbook.html');
    const res = await fetch(`${t.baseUrl}/api/evidence`, {
      method: 'POST',
      headers: { cookie: cookies.owner },
      body: form,
    });
    const item = (await res.json()) as any;
    expect(res.status).toBe(201);
    expect(item.files.map((f: { filename: string; mediaType: string }) => [f.filename, f.mediaType])).toEqual([
      ['runbook.html.txt', 'text/plain'],
    ]);
    const download = await fetch(`${t.baseUrl}${item.files[0].download}`, { headers: { cookie: cookies.owner } });
    expect(download.headers.get('content-disposition')).toContain('filename="runbook.html.txt"');
  });
});

describe('a risk ref taken in a register part the actor cannot read', () => {
  it('is a 409 that names neither the ref nor the register; one the actor can read is still named', async () => {
    const hazard = {
      register: 'iso14971',
      ref: 'HAZ-777',
      product: 'Secret product',
      title: 'Secret hazard title',
      hazard: 'h',
      sequenceOfEvents: 's',
      hazardousSituation: 'x',
      harm: 'y',
      severity: 'S4',
      probability: 'remote',
    };
    const created = await as.compliance('POST', '/api/risks', hazard);
    expect([created.status, created.json.errors]).toEqual([201, undefined]);
    const hidden = await as.privacy('POST', '/api/risks', { ...hazard, product: 'Mine', title: 'Mine' });
    expect([hidden.status, hidden.json.code]).toEqual([409, 'risk.ref_taken']);
    expect(hidden.text).not.toMatch(/HAZ-777|iso14971|Secret/);
    const named = await as.compliance('POST', '/api/risks', hazard);
    expect([named.status, named.json.detail]).toEqual([409, 'HAZ-777 is already in the iso14971 register.']);
  });
});
