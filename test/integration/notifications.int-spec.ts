// Notifications on real PostgreSQL with a real SMTP server in the test process: enqueue is idempotent by
// dedupe key; e-mail goes to the recipient's address through SMTP_URL (with its credentials) and is marked
// sent only once the server accepted it; failures are retried on the backoff schedule and end as failed;
// two instances delivering at once send each mail once; a claim left by a crashed instance, or rows left
// pending by an instance that stopped, are delivered by the next run. Times are explicit (the `now` of
// deliverPending), never waited for.
import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { systemActor } from '../../src/authz/actor';
import { UsersService } from '../../src/identity/users.service';
import { InvalidNotificationError } from '../../src/notifications/domain/notification-input';
import { NotificationsModule } from '../../src/notifications/notifications.module';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { createTestDatabase, TestDatabase } from '../support/database';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';

const MINUTE = 60_000;

let db: TestDatabase;
let dataDir: string;
let smtp: TestSmtpServer;
let main: TestingModule;
let inAppOnly: TestingModule;
const others: TestingModule[] = [];
let ds: DataSource;
let notifications: NotificationsService;
const logs: string[] = [];
const alice = { id: '', email: 'alice.owner@example.co.th' };
const bob = { id: '', email: 'bob.gone@example.co.th' };

/** One app instance's worth of the notifications module (its own pool, its own SMTP transport). */
async function startInstance(env: Record<string, string> = {}): Promise<TestingModule> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    JOBS_ENABLED: 'false',
    DB_POOL_SIZE: '4',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Attest <attest@example.co.th>',
    PUBLIC_URL: 'https://attest.example.co.th',
    ...env,
  });
  const capture = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ migrate: false }), NotificationsModule],
  })
    .setLogger({ log: capture, warn: capture, error: capture, debug: capture, verbose: capture })
    .compile();
  await moduleRef.init();
  return moduleRef;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'attest-notifications-'));
  smtp = await startSmtpServer({ auth: { user: 'mailer', password: 's3cret' } });
  main = await startInstance();
  inAppOnly = await startInstance({ SMTP_URL: '' });
  ds = main.get(DataSource);
  notifications = main.get(NotificationsService);
  const users = main.get(UsersService);
  for (const u of [alice, bob]) {
    u.id = (
      await users.create(systemActor('test'), {
        email: u.email,
        name: u.email.split('@')[0],
        role: 'control_owner',
        department: null,
      })
    ).user.id;
  }
  await ds.query('UPDATE users SET active = false WHERE id = $1', [bob.id]);
});

afterAll(async () => {
  for (const m of [main, inAppOnly, ...others]) await m?.close();
  await smtp?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Row {
  id: string;
  email_status: string;
  email_attempts: number;
  email_next_attempt_at: Date | null;
  email_last_error: string | null;
  email_sent_at: Date | null;
  read_at: Date | null;
}
const row = async (dedupeKey: string): Promise<Row> =>
  (await ds.query('SELECT * FROM notifications WHERE dedupe_key = $1', [dedupeKey]))[0];
const mailsFor = (subject: string) => smtp.messages.filter((m) => m.subject === subject);

const reminder = (key: string, over: Partial<Parameters<NotificationsService['enqueue']>[0]> = {}) => ({
  recipientUserId: alice.id,
  kind: 'sweep.reminder',
  dedupeKey: key,
  subject: `Reminder ${key}`,
  body: 'Attach this week’s evidence for PRV-01 by Friday 18:00.',
  link: '/sweeps/2026-W48',
  ...over,
});

describe('enqueue', () => {
  it('is idempotent by dedupe key: the second call is a no-op and returns false', async () => {
    expect(await notifications.enqueue(reminder('sweep-task:1:reminder-2d'))).toBe(true);
    expect(await notifications.enqueue(reminder('sweep-task:1:reminder-2d', { subject: 'Changed subject' }))).toBe(
      false,
    );
    const rows = await ds.query(
      `SELECT subject, kind, link, email_status FROM notifications WHERE dedupe_key = 'sweep-task:1:reminder-2d'`,
    );
    expect(rows).toEqual([
      {
        subject: 'Reminder sweep-task:1:reminder-2d',
        kind: 'sweep.reminder',
        link: '/sweeps/2026-W48',
        email_status: 'pending',
      },
    ]);
    // …and is sent once.
    await notifications.deliverPending(new Date());
    expect(mailsFor('Reminder sweep-task:1:reminder-2d')).toHaveLength(1);
  });

  it('stores one row when the same notification is raised several times at once', async () => {
    const created = await Promise.all(
      [1, 2, 3, 4].map(() => notifications.enqueue(reminder('sweep-task:2:due-today', { kind: 'sweep.due_today' }))),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(
      await ds.query(`SELECT count(*)::int AS n FROM notifications WHERE dedupe_key = 'sweep-task:2:due-today'`),
    ).toEqual([{ n: 1 }]);
    await notifications.deliverPending(new Date());
    expect(mailsFor('Reminder sweep-task:2:due-today')).toHaveLength(1);
  });

  it("joins the caller's transaction: a rolled-back change leaves no notification, a duplicate does not abort it", async () => {
    await expect(
      ds.transaction(async (m) => {
        await notifications.enqueue(reminder('sweep-task:3:escalation', { kind: 'sweep.escalation' }), m);
        throw new Error('the escalation failed');
      }),
    ).rejects.toThrow('the escalation failed');
    expect(await row('sweep-task:3:escalation')).toBeUndefined();
    const results = await ds.transaction(async (m) => {
      const first = await notifications.enqueue(reminder('sweep-task:3:escalation', { kind: 'sweep.escalation' }), m);
      const second = await notifications.enqueue(reminder('sweep-task:3:escalation', { kind: 'sweep.escalation' }), m);
      const [{ n }] = await m.query('SELECT 1 AS n'); // the transaction is still usable
      return [first, second, n];
    });
    expect(results).toEqual([true, false, 1]);
    await notifications.deliverPending(new Date());
    expect(mailsFor('Reminder sweep-task:3:escalation')).toHaveLength(1);
  });

  it('refuses a malformed notification before storing anything', async () => {
    await expect(
      notifications.enqueue(reminder('sweep-task:4:reminder-2d', { subject: 'x\r\nBcc: someone@example.com' })),
    ).rejects.toThrow(InvalidNotificationError);
    expect(await row('sweep-task:4:reminder-2d')).toBeUndefined();
  });

  it('without SMTP_URL, notifications are in-app only and nothing is e-mailed', async () => {
    const local = inAppOnly.get(NotificationsService);
    expect(await local.enqueue(reminder('in-app:1'))).toBe(true);
    expect(await row('in-app:1')).toMatchObject({
      email_status: 'not_needed',
      email_attempts: 0,
      email_next_attempt_at: null,
    });
    expect(await local.deliverPending(new Date(Date.now() + 60 * MINUTE))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      skipped: 0,
    });
    expect(await notifications.deliverPending(new Date(Date.now() + 60 * MINUTE))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      skipped: 0,
    });
    expect(mailsFor('Reminder in-app:1')).toHaveLength(0);
  });
});

describe('e-mail delivery', () => {
  it("sends to the recipient's address through SMTP_URL, then marks it sent", async () => {
    await notifications.enqueue(reminder('mail:1'));
    const now = new Date();
    expect(await notifications.deliverPending(now)).toEqual({ sent: 1, retrying: 0, failed: 0, skipped: 0 });
    const [mail] = mailsFor('Reminder mail:1');
    expect(mail.to).toEqual([alice.email]);
    expect(mail.from).toBe('attest@example.co.th');
    expect(mail.user).toBe('mailer'); // the credentials in SMTP_URL were used
    expect(mail.raw).toMatch(/^From: Attest <attest@example\.co\.th>$/m);
    expect(mail.raw).toContain('https://attest.example.co.th/sweeps/2026-W48'); // the link, absolute
    const r = await row('mail:1');
    expect(r).toMatchObject({
      email_status: 'sent',
      email_attempts: 1,
      email_next_attempt_at: null,
      email_last_error: null,
      read_at: null,
    });
    expect(r.email_sent_at?.toISOString()).toBe(now.toISOString());
    expect(mail.messageId).toBe(`<notification-${r.id}@attest>`);
    // Sent is final: another run sends nothing.
    expect(await notifications.deliverPending(new Date(now.getTime() + 10 * MINUTE))).toMatchObject({ sent: 0 });
    expect(mailsFor('Reminder mail:1')).toHaveLength(1);
  });

  it('retries a refused e-mail after 1 and 5 minutes, and marks it sent when the server accepts it', async () => {
    await notifications.enqueue(reminder('mail:retry'));
    smtp.rejectNext(2);
    const t0 = new Date();
    expect(await notifications.deliverPending(t0)).toMatchObject({ retrying: 1, sent: 0 });
    let r = await row('mail:retry');
    expect(r).toMatchObject({ email_status: 'pending', email_attempts: 1 });
    expect(r.email_next_attempt_at?.toISOString()).toBe(new Date(t0.getTime() + MINUTE).toISOString());
    expect(r.email_last_error).toMatch(/451/);
    expect(r.email_last_error).not.toContain('@');

    // Not due yet: nothing is tried.
    expect(await notifications.deliverPending(new Date(t0.getTime() + MINUTE - 1))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      skipped: 0,
    });

    const t1 = new Date(t0.getTime() + MINUTE);
    expect(await notifications.deliverPending(t1)).toMatchObject({ retrying: 1 });
    r = await row('mail:retry');
    expect(r.email_attempts).toBe(2);
    expect(r.email_next_attempt_at?.toISOString()).toBe(new Date(t1.getTime() + 5 * MINUTE).toISOString());

    expect(await notifications.deliverPending(new Date(t1.getTime() + 5 * MINUTE))).toMatchObject({
      sent: 1,
      retrying: 0,
    });
    expect(await row('mail:retry')).toMatchObject({
      email_status: 'sent',
      email_attempts: 3,
      email_next_attempt_at: null,
    });
    expect(mailsFor('Reminder mail:retry')).toHaveLength(1);
    expect(smtp.rejected).toBe(2);
  });

  it('marks the e-mail failed after the fifth refused attempt, and never tries it again', async () => {
    await notifications.enqueue(reminder('mail:fail'));
    const rejectedBefore = smtp.rejected;
    smtp.rejectNext(5);
    let now = new Date();
    const outcomes: string[] = [];
    for (const wait of [0, 1, 5, 30, 120].map((m) => m * MINUTE)) {
      now = new Date(now.getTime() + wait);
      const report = await notifications.deliverPending(now);
      outcomes.push(report.failed ? 'failed' : report.retrying ? 'retrying' : 'nothing');
    }
    expect(outcomes).toEqual(['retrying', 'retrying', 'retrying', 'retrying', 'failed']);
    expect(smtp.rejected - rejectedBefore).toBe(5);
    const r = await row('mail:fail');
    expect(r).toMatchObject({
      email_status: 'failed',
      email_attempts: 5,
      email_next_attempt_at: null,
      email_sent_at: null,
    });
    expect(r.email_last_error).toMatch(/451/);
    expect(await notifications.deliverPending(new Date(now.getTime() + 24 * 60 * MINUTE))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      skipped: 0,
    });
    expect(mailsFor('Reminder mail:fail')).toHaveLength(0);
  });

  it('does not e-mail an inactive user; the notification stays in the app', async () => {
    await notifications.enqueue(reminder('mail:inactive', { recipientUserId: bob.id }));
    expect(await notifications.deliverPending(new Date())).toMatchObject({ skipped: 1, sent: 0 });
    expect(await row('mail:inactive')).toMatchObject({
      email_status: 'not_needed',
      email_last_error: 'the recipient is inactive or unknown',
    });
    expect(smtp.messages.some((m) => m.to.includes(bob.email))).toBe(false);
  });

  it('two instances delivering at once send each e-mail exactly once', async () => {
    const slow = await startSmtpServer({ acceptDelayMs: 20 });
    try {
      const a = await startInstance({ SMTP_URL: slow.url });
      const b = await startInstance({ SMTP_URL: slow.url });
      others.push(a, b);
      const keys = Array.from({ length: 16 }, (_, i) => `mail:concurrent:${i}`);
      for (const k of keys) await a.get(NotificationsService).enqueue(reminder(k));
      const now = new Date();
      const reports = await Promise.all([
        a.get(NotificationsService).deliverPending(now),
        b.get(NotificationsService).deliverPending(now),
        a.get(NotificationsService).deliverPending(now),
      ]);
      expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(keys.length);
      expect(slow.messages.map((m) => m.subject).sort()).toEqual(keys.map((k) => `Reminder ${k}`).sort());
      const statuses = await ds.query(
        `SELECT email_status, email_attempts, count(*)::int AS n FROM notifications WHERE dedupe_key LIKE 'mail:concurrent:%' GROUP BY 1, 2`,
      );
      expect(statuses).toEqual([{ email_status: 'sent', email_attempts: 1, n: keys.length }]);
    } finally {
      await slow.close();
    }
  });
});

describe('restart safety', () => {
  it('a row claimed by an instance that crashed mid-delivery is sent by the next run', async () => {
    await notifications.enqueue(reminder('mail:crash'));
    const { id } = await row('mail:crash');
    // The "crashed" instance: it claimed the row (FOR UPDATE, in its open transaction) and never finished.
    const crashed = new Client({ connectionString: db.url });
    crashed.on('error', () => undefined); // its connection is killed below
    await crashed.connect();
    await crashed.query('BEGIN');
    await crashed.query('SELECT id FROM notifications WHERE id = $1 FOR UPDATE', [id]);
    const pid = (await crashed.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;

    // While it holds the row, others skip it rather than send it too (or wait).
    expect(await notifications.deliverPending(new Date())).toMatchObject({ sent: 0 });
    expect(await row('mail:crash')).toMatchObject({ email_status: 'pending', email_attempts: 0 });

    // The process dies: its connection goes, its transaction rolls back and the row is free again.
    await ds.query('SELECT pg_terminate_backend($1)', [pid]);
    await crashed.end().catch(() => undefined);
    expect(await notifications.deliverPending(new Date())).toMatchObject({ sent: 1 });
    expect(mailsFor('Reminder mail:crash')).toHaveLength(1);
    expect(await row('mail:crash')).toMatchObject({ email_status: 'sent', email_attempts: 1 });
  });

  it('rows left pending by an instance that stopped are delivered by another (or by it after a restart)', async () => {
    const before = await startInstance();
    for (const k of ['mail:restart:1', 'mail:restart:2']) await before.get(NotificationsService).enqueue(reminder(k));
    await before.close();
    const after = await startInstance();
    others.push(after);
    expect(await after.get(NotificationsService).deliverPending(new Date())).toMatchObject({ sent: 2 });
    expect(mailsFor('Reminder mail:restart:1')).toHaveLength(1);
    expect(mailsFor('Reminder mail:restart:2')).toHaveLength(1);
  });
});

it('never logs an e-mail address or a message body', () => {
  expect(logs.some((l) => /e-mail attempt \d failed/.test(l))).toBe(true); // retries were logged…
  for (const line of logs) {
    expect(line).not.toContain('@example.co.th'); // …without addresses
    expect(line).not.toContain('Attach this week');
  }
});
