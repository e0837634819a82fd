// `attest trail checkpoint` and `attest trail verify` as a user runs them: the built CLI as a process, on
// the embedded database under DATA_DIR (started here, so the CLI shares it as it would a running server's).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { nextEntry } from '../../src/audit-trail/domain/audit-entry';
import { EmbeddedCluster } from '../../src/postgres/embedded-cluster';
import { childEnv, embeddedClient, runCli } from '../support/processes';
import type { AuditAction } from '../../src/audit-trail/domain/audit-actions';

const dir = mkdtempSync(join(tmpdir(), 'attest-e2e-trail-'));
const cluster = new EmbeddedCluster({ dataDir: dir });
let client: Client;

beforeAll(async () => {
  await cluster.start();
  const migrate = runCli(['migrate'], childEnv(dir));
  expect(migrate.status).toBe(0);
  client = await embeddedClient(dir);
  let head: { seq: number; hash: string } | null = null;
  for (let i = 0; i < 5; i++) {
    const e = nextEntry(
      head,
      {
        actor: 'system:seed',
        action: 'thing.create' as AuditAction /* the trail's mechanics, not a real action */,
        subjectType: 'Thing',
        subjectId: `t${i}`,
        data: { i },
      },
      new Date(Date.UTC(2026, 0, 5, 3, 0, i)),
    );
    await client.query(
      'INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, canonical, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        e.content.seq,
        e.content.at,
        e.content.actor,
        e.content.action,
        e.content.subjectType,
        e.content.subjectId,
        e.canonical,
        e.prevHash,
        e.hash,
      ],
    );
    head = { seq: e.content.seq, hash: e.hash };
  }
});

afterAll(async () => {
  await client?.end();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('attest trail', () => {
  it('writes a signed checkpoint, creating the key, and skips when nothing is new', () => {
    const r = runCli(['trail', 'checkpoint'], childEnv(dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^checkpoint written at entry 5 \(hash [0-9a-f]{64}\)\n.*checkpoint-000000000005\.txt\n$/);
    expect(statSync(join(dir, 'keys', 'audit-trail-ed25519.pem')).mode & 0o777).toBe(0o600);
    const again = runCli(['trail', 'checkpoint'], childEnv(dir));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^no new entries since the last checkpoint \(entry 5\)/);
  });

  it('verifies an intact trail: exit 0 and "ok: N entries"', () => {
    const r = runCli(['trail', 'verify'], childEnv(dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ok: 5 entries, 1 signed checkpoint(s) checked\n');
    const json = runCli(['trail', 'verify', '--json'], childEnv(dir));
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, entries: 5, checkpoints: 1 });
  });

  it('names the tampered entry: exit 1 and "broken at seq S: <reason>"; refuses to checkpoint it', async () => {
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await client.query(`UPDATE audit_log SET canonical = replace(canonical, '"i":2', '"i":20') WHERE seq = 3`);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');

    const r = runCli(['trail', 'verify'], childEnv(dir));
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'broken at seq 3: its content does not match its hash: the entry was altered after it was written',
    );
    const json = runCli(['trail', 'verify', '--json'], childEnv(dir));
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      brokenAtSeq: 3,
      reason: 'its content does not match its hash: the entry was altered after it was written',
      entries: 2,
    });

    await client.query(
      `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, canonical, prev_hash, hash)
       SELECT 6, at, actor, action, subject_type, 'x', canonical, hash, hash FROM audit_log WHERE seq = 5`,
    );
    const checkpoint = runCli(['trail', 'checkpoint'], childEnv(dir));
    expect(checkpoint.status).toBe(1);
    expect(checkpoint.stderr).toMatch(/^attest: No checkpoint written: the audit trail is broken at entry 6: /);
  });
});
