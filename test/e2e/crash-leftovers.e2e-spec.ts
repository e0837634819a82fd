// What a crashed process left in DATA_DIR is removed when the server starts: staged uploads and
// half-built pack folders whose owning process is gone, at once (not after 6 hours); a live process's
// (another instance on the same DATA_DIR) and another host's recent ones are kept. A pack whose build folder
// was a gone process's is queued to be built again at once, not left 'building' until its heartbeat is stale.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PackScratch } from '../../src/audit-packs/pack-scratch';
import { startTestApp } from '../support/app';

const host = hostname().replace(/[^A-Za-z0-9.]/g, '');
const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const owned = (prefix: string, pid: number, ownerHost = host, ownerBoot = boot) =>
  `${prefix}_${ownerHost}_${ownerBoot}_${pid}_${randomUUID()}`;

it('removes the leftovers of gone processes at start and keeps those of live ones', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-leftovers-'));
  const live = spawn('sleep', ['120'], { stdio: 'ignore' });
  live.unref();
  const deadPid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
  try {
    const uploads = join(dataDir, 'tmp', 'uploads');
    mkdirSync(uploads, { recursive: true });
    const file = (dir: string, name: string, ageHours = 0) => {
      writeFileSync(join(dir, name), 'half an upload');
      const at = new Date(Date.now() - ageHours * 3600_000);
      utimesSync(join(dir, name), at, at);
      return name;
    };
    const crashed = file(uploads, owned('upload', Number(deadPid)));
    const beforeReboot = file(uploads, owned('upload', live.pid!, host, '00000000-0000-0000-0000-000000000000'));
    const running = file(uploads, owned('upload', live.pid!));
    const otherHost = file(uploads, owned('upload', 1, 'elsewhere'));
    const otherHostOld = file(uploads, owned('upload', 1, 'elsewhere'), 7);
    const unownedOld = file(uploads, `upload-${randomUUID()}`, 7);

    const packs = join(dataDir, 'packs');
    const halfBuilt = join(packs, randomUUID(), owned('.build', Number(deadPid)));
    const building = join(packs, randomUUID(), owned('.build', live.pid!));
    for (const dir of [halfBuilt, building]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'audit-pack.pdf'), '%PDF-1.7 half');
    }

    const t = await startTestApp({ env: { DATA_DIR: dataDir } });
    await t.close();

    const left = (name: string) => existsSync(join(uploads, name));
    expect({
      crashed: left(crashed),
      beforeReboot: left(beforeReboot),
      otherHostOld: left(otherHostOld),
      unownedOld: left(unownedOld),
    }).toEqual({ crashed: false, beforeReboot: false, otherHostOld: false, unownedOld: false });
    expect({ running: left(running), otherHost: left(otherHost) }).toEqual({ running: true, otherHost: true });
    expect(existsSync(join(halfBuilt, '..'))).toBe(false); // the pack's folder went with its only content
    expect(existsSync(join(building, 'audit-pack.pdf'))).toBe(true);
  } finally {
    live.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("queues again at once a pack whose builder is gone; a live builder's pack keeps building", async () => {
  const live = spawn('sleep', ['120'], { stdio: 'ignore' });
  live.unref();
  const deadPid = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
  const t = await startTestApp();
  try {
    const ds = t.app.get(DataSource);
    const building = async (to: string, token: string) => {
      const [{ id }] = (await ds.query(
        `INSERT INTO audit_packs (framework, period_from, period_to, requested_by, status, build_token, progress, stage, started_at, heartbeat_at)
         VALUES ('soc2', '2026-11-01', $1, 'test', 'building', $2, 40, 'rendering', now(), now()) RETURNING id`,
        [to, token],
      )) as { id: string }[];
      return id;
    };
    const crashedToken = randomUUID();
    const crashed = await building('2026-11-29', crashedToken);
    const runningToken = randomUUID();
    const running = await building('2026-11-30', runningToken);
    // The crashed builder's folder names its token; so does the live one's. A stale folder of an older
    // build of the running pack (another token) must not release the build that holds it now.
    const folder = (id: string, pid: number, token: string) =>
      mkdirSync(join(t.config.dataDir, 'packs', id, `.build_${host}_${boot}_${pid}_${token}`), { recursive: true });
    folder(crashed, deadPid, crashedToken);
    folder(running, live.pid!, runningToken);
    folder(running, deadPid, randomUUID());

    await t.app.get(PackScratch).onModuleInit(); // what runs at start

    const status = async (id: string) =>
      ((await ds.query('SELECT status, build_token FROM audit_packs WHERE id = $1', [id])) as object[])[0];
    expect(await status(crashed)).toEqual({ status: 'queued', build_token: null });
    expect(await status(running)).toEqual({ status: 'building', build_token: runningToken });
    expect(existsSync(join(t.config.dataDir, 'packs', crashed))).toBe(false);
  } finally {
    live.kill();
    await t.close();
  }
});
