// The CLI's user and token commands against the embedded database a running server uses: what they
// print works for signing in and for API calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, login } from '../support/auth';
import { childEnv, runCli, ServerProcess, startServer } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'attest-e2e-cli-'));
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(childEnv(dir));
});
afterAll(async () => {
  await server?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

it('the server prints the demo logins at start', () => {
  expect(server.output()).toContain('Demo users (password "attest-demo")');
  expect(server.output()).toMatch(/owner@demo\.local\s+control owner \(engineering\)/);
});

it('attest user create prints a one-time password that signs the new user in', async () => {
  const r = runCli(
    [
      'user',
      'create',
      '--email',
      'Kanya@Example.co.th',
      '--role',
      'privacy_officer',
      '--department',
      'privacy',
      '--name',
      'Kanya Meesuk',
    ],
    childEnv(dir),
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const password = /One-time password: (\S+)/.exec(r.stdout)?.[1];
  expect(password).toBeDefined();
  const cookie = await login(server.baseUrl, 'kanya@example.co.th', password);
  const me = await client(server.baseUrl, cookie)('GET', '/api/me');
  expect(me.json).toMatchObject({ name: 'Kanya Meesuk', role: 'privacy_officer', departmentKey: 'privacy' });
});

it('attest user create refuses a taken e-mail, a bad role and an unknown department, clearly', () => {
  const taken = runCli(['user', 'create', '--email', 'kanya@example.co.th', '--role', 'viewer'], childEnv(dir));
  expect(taken.status).toBe(1);
  expect(taken.stderr.trim()).toBe('attest: A user with e-mail kanya@example.co.th exists.');
  const role = runCli(['user', 'create', '--email', 'x@example.com', '--role', 'boss'], childEnv(dir));
  expect(role.status).toBe(2);
  expect(role.stdout).toContain('--role must be one of admin');
  const dept = runCli(
    ['user', 'create', '--email', 'x@example.com', '--role', 'viewer', '--department', 'nowhere'],
    childEnv(dir),
  );
  expect(dept.status).toBe(1);
  expect(dept.stderr).toContain('no department with key "nowhere"');
});

it('attest token create prints a token that authenticates API calls', async () => {
  const r = runCli(
    ['token', 'create', '--email', 'owner@demo.local', '--name', 'CI evidence upload', '--days', '7'],
    childEnv(dir),
  );
  expect(r.status).toBe(0);
  const token = /^(atk_\S+)$/m.exec(r.stdout)?.[1];
  expect(token).toBeDefined();
  const me = await client(server.baseUrl, token!)('GET', '/api/me');
  expect(me.status).toBe(200);
  expect(me.json.email).toBe('owner@demo.local');
  const unknown = runCli(['token', 'create', '--email', 'ghost@example.com', '--name', 'x'], childEnv(dir));
  expect(unknown.status).toBe(1);
  expect(unknown.stdout).toContain('no active user with e-mail ghost@example.com');
});
