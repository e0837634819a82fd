// Scratch files and folders that name the process that owns them, so whatever a crashed process left
// behind can be removed at the next start without touching what a live process (another instance on the
// same DATA_DIR) is still writing. A name reads `<prefix>_<host>_<boot id>_<pid>_<random>`: on the same
// host and boot, an owner whose pid is gone is dead; after a reboot every owner on this host is dead; an
// owner on another host (a DATA_DIR on shared storage) cannot be asked, so its entries only go once they
// are older than `staleMs`, as do entries with no owner in their name (written by older versions).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Unowned entries, or entries of an owner on another host, are removed once they are this old. */
export const LEFTOVER_STALE_MS = 6 * 60 * 60 * 1000;

const host = hostname().replace(/[^A-Za-z0-9.]/g, '') || 'host';
const bootId = readBootId();
const OWNED = /^(.*)_([A-Za-z0-9.]+)_([0-9a-f-]{36}|noboot)_(\d+)_([^_]+)$/;

function readBootId(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^[0-9a-f-]{36}$/.test(id) ? id : 'noboot';
  } catch {
    return 'noboot'; // not Linux: a reboot cannot be told, so only a gone pid counts
  }
}

/**
 * A fresh scratch name owned by this process, e.g. `upload_web1_<boot>_4242_<uuid>` (add a suffix after it if
 * needed). `id` (no `_` in it) ends the name instead of a random UUID, so the name can say what it was for.
 */
export function ownedName(prefix: string, id: string = randomUUID()): string {
  return `${prefix}_${host}_${bootId}_${process.pid}_${id}`;
}

export type Owner = 'alive' | 'dead' | 'unknown';

/** Whether the process a scratch name records is still running (`unknown`: no owner, or another host). */
export function ownerOf(name: string, self = { host, bootId, pid: process.pid }, isRunning = pidIsRunning): Owner {
  const m = OWNED.exec(name);
  if (!m) return 'unknown';
  const [, , ownerHost, ownerBoot, ownerPid] = m;
  if (ownerHost !== self.host) return 'unknown';
  if (ownerBoot !== self.bootId && ownerBoot !== 'noboot' && self.bootId !== 'noboot') return 'dead';
  const pid = Number(ownerPid);
  // Our own pid at start is a previous process's (a restarted container gets the same pid): nothing of ours exists yet.
  if (pid === self.pid) return 'dead';
  return isRunning(pid) ? 'alive' : 'dead';
}

function pidIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // running, as another user
  }
}

/**
 * Removes the entries of `dir` (files or folders, recursively) whose names match `isScratch` and whose
 * owner is dead, or unknown and older than `staleMs`. Meant to run at start, before this process makes
 * scratch entries of its own. Returns the names removed; a missing `dir` is no leftover.
 */
export async function removeLeftovers(
  dir: string,
  options: { isScratch?: (name: string) => boolean; staleMs?: number; now?: number } = {},
): Promise<string[]> {
  const { isScratch = () => true, staleMs = LEFTOVER_STALE_MS, now = Date.now() } = options;
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  const removed: string[] = [];
  for (const name of names) {
    if (!isScratch(name)) continue;
    const owner = ownerOf(name);
    if (owner === 'alive') continue;
    if (owner === 'unknown') {
      const info = await stat(join(dir, name)).catch(() => null);
      if (!info || now - info.mtimeMs <= staleMs) continue;
    }
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
