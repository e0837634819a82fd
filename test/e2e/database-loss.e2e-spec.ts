// Database loss and return (issue 20): with PostgreSQL stopped under a running server, requests answer 503
// problem+json with Retry-After (never a 500), /health says 503, and once PostgreSQL is back the same
// server answers again without a restart. The server is the built one, as `npm start` runs it, on a
// cluster of its own (stopping the suite's shared cluster would stop every other test).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster, freePort } from '../../src/postgres/embedded-cluster';
import { DEMO, login } from '../support/auth';
import { childEnv, startServer, type ServerProcess } from '../support/processes';

jest.setTimeout(180_000);

let dir: string;
let port: number;
let cluster: EmbeddedCluster;
let server: ServerProcess;
let cookie: string;

const clusterOn = (p: number) => new EmbeddedCluster({ dataDir: join(dir, 'pg'), maxConnections: 40, port: p });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attest-db-loss-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when the tests run as root
  port = await freePort();
  cluster = clusterOn(port);
  const { url } = await cluster.start();
  server = await startServer(
    childEnv(join(dir, 'app'), { DATABASE_URL: url, JOBS_ENABLED: 'false', DEMO: '1', DSR_DEMO_PLATFORM: '0' }),
  );
  cookie = await login(server.baseUrl, DEMO.compliance);
});

afterAll(async () => {
  await server?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, accept = 'application/json') =>
  fetch(server.baseUrl + path, { headers: { cookie, accept }, redirect: 'manual' });

it('answers 503 with Retry-After while PostgreSQL is down, and recovers by itself when it is back', async () => {
  expect((await get('/api/me')).status).toBe(200);

  await cluster.stop();

  const api = await get('/api/controls?limit=5');
  expect(api.status).toBe(503);
  expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(api.headers.get('retry-after')).toBe('5');
  expect(await api.json()).toMatchObject({ status: 503, code: 'database.unavailable' });

  const page = await get('/controls', 'text/html');
  expect(page.status).toBe(503);
  expect(page.headers.get('retry-after')).toBe('5');
  expect(await page.text()).toContain('The database cannot be reached right now');

  expect((await get('/health')).status).toBe(503);
  // An outage, logged as one warning per request, not as an unhandled error with its stack.
  expect(server.output()).toContain('database unavailable');
  expect(server.output()).not.toContain('unhandled error');

  // The public home page says the database is down, without the driver's error (its host and port).
  const home = await (await fetch(server.baseUrl + '/')).text();
  expect(home).toContain('PostgreSQL unreachable');
  expect(home).toContain('id="health-alert"'); // said at the top; the health table itself is at the bottom
  expect(home).not.toContain(`:${port}`);

  cluster = clusterOn(port);
  await cluster.start();
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await get('/api/me')).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(status).toBe(200);
  expect((await get('/health')).status).toBe(200);
  expect(server.child.exitCode).toBeNull(); // the same process, never restarted
});
