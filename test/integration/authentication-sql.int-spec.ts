// The one-query authentication read (issue 15): CredentialsRepository.findLiveSessionWithUser and
// findLiveApiTokenWithUser return the credential's own user with that user's department key — never another
// user's, whichever row comes first — and nothing for a revoked, expired or unknown credential; an inactive
// user is returned as inactive (AuthService refuses it). Checked on several users, sessions and tokens
// against the two-step reading (the credential by hash, then UsersRepository.findById).
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { CredentialsRepository } from '../../src/identity/credentials.repository';
import { sha256Hex } from '../../src/identity/domain/secrets';
import { UsersRepository } from '../../src/identity/users.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
let credentials: CredentialsRepository;
let users: UsersRepository;
const NOW = new Date('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;

interface Fixture {
  userId: string;
  email: string;
  departmentKey: string | null;
  active: boolean;
  token: string;
  expiresAt: Date;
  revoked: boolean;
}
const sessions: Fixture[] = [];
const apiTokens: Fixture[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  credentials = new CredentialsRepository(ds);
  users = new UsersRepository(ds);
  const [eng] = await ds.query(`INSERT INTO departments (key, name) VALUES ('auth-eng', 'Eng') RETURNING id`);
  const [ops] = await ds.query(`INSERT INTO departments (key, name) VALUES ('auth-ops', 'Ops') RETURNING id`);
  const people = [
    { email: 'a@auth.test', role: 'compliance_manager', dept: eng.id, deptKey: 'auth-eng', active: true },
    { email: 'b@auth.test', role: 'control_owner', dept: ops.id, deptKey: 'auth-ops', active: true },
    { email: 'c@auth.test', role: 'viewer', dept: null, deptKey: null, active: true },
    { email: 'd@auth.test', role: 'auditor', dept: eng.id, deptKey: 'auth-eng', active: false },
  ];
  for (const p of people) {
    const [u] = await ds.query(
      `INSERT INTO users (email, name, role, department_id, active) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
      [p.email, p.role, p.dept, p.active],
    );
    // Per user: a live one, an expired one, a revoked one (sessions and API tokens alike).
    for (const [expiresAt, revoked] of [
      [new Date(NOW.getTime() + HOUR), false],
      [new Date(NOW.getTime() - 1), false],
      [new Date(NOW.getTime() + HOUR), true],
    ] as const) {
      const base = { userId: u.id, email: p.email, departmentKey: p.deptKey, active: p.active, expiresAt, revoked };
      const session = { ...base, token: randomUUID() };
      await ds.query(
        `INSERT INTO sessions (user_id, token_hash, expires_at, last_seen_at, revoked_at) VALUES ($1, $2, $3, $4, $5)`,
        [u.id, sha256Hex(session.token), expiresAt, new Date(NOW.getTime() - 5 * 60_000), revoked ? NOW : null],
      );
      sessions.push(session);
      const token = { ...base, token: randomUUID() };
      await ds.query(
        `INSERT INTO api_tokens (user_id, name, token_prefix, token_hash, expires_at, revoked_at)
         VALUES ($1, 'test', 'atk_test', $2, $3, $4)`,
        [u.id, sha256Hex(token.token), expiresAt, revoked ? NOW : null],
      );
      apiTokens.push(token);
    }
  }
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const live = (f: Fixture) => !f.revoked && f.expiresAt > NOW;

test('a session is read with its own user and department key, or not at all', async () => {
  for (const f of sessions) {
    const got = await credentials.findLiveSessionWithUser(sha256Hex(f.token), NOW);
    if (!live(f)) {
      expect(got).toBeNull();
      continue;
    }
    const two = await credentials.findLiveSession(sha256Hex(f.token), NOW);
    const user = await users.findById(two!.userId);
    expect(got).toEqual({
      id: two!.id,
      lastUsedAt: two!.lastSeenAt,
      user: {
        id: f.userId,
        email: f.email,
        name: user!.name,
        role: user!.role,
        departmentId: user!.departmentId,
        departmentKey: f.departmentKey,
        active: f.active,
        createdAt: user!.createdAt,
        updatedAt: user!.updatedAt,
        lastLoginAt: user!.lastLoginAt,
      },
    });
    expect(user!.departmentKey).toBe(f.departmentKey);
  }
  expect(await credentials.findLiveSessionWithUser(sha256Hex('unknown'), NOW)).toBeNull();
});

test('an API token is read with its own user and department key, or not at all', async () => {
  for (const f of apiTokens) {
    const got = await credentials.findLiveApiTokenWithUser(sha256Hex(f.token), NOW);
    if (!live(f)) {
      expect(got).toBeNull();
      continue;
    }
    const [row] = await ds.query(`SELECT id, last_used_at FROM api_tokens WHERE token_hash = $1`, [sha256Hex(f.token)]);
    const user = await users.findById(f.userId);
    expect(got).toEqual({
      id: row.id,
      lastUsedAt: null,
      user: {
        id: f.userId,
        email: f.email,
        name: user!.name,
        role: user!.role,
        departmentId: user!.departmentId,
        departmentKey: f.departmentKey,
        active: f.active,
        createdAt: user!.createdAt,
        updatedAt: user!.updatedAt,
        lastLoginAt: user!.lastLoginAt,
      },
    });
  }
  // A session's token is not an API token, nor the reverse.
  expect(await credentials.findLiveApiTokenWithUser(sha256Hex(sessions[0].token), NOW)).toBeNull();
  expect(await credentials.findLiveSessionWithUser(sha256Hex(apiTokens[0].token), NOW)).toBeNull();
});
