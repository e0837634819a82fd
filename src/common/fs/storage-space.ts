// Free space where the server writes: the upload staging area, and the place a file's second copy lands
// (the embedded PostgreSQL's data directory or the blob folder) when that is the same filesystem. Used to
// refuse an upload that cannot fit before any of it is staged, and to report storage in /health.
import { mkdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes an unprivileged process may still write on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Whether two existing paths are on the same filesystem (a missing one: not). */
export async function sameFilesystem(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev;
  } catch {
    return false;
  }
}

/**
 * Whether an upload of `declared` bytes fits: `copies` copies of it on this filesystem (the staged file,
 * and the stored one when it lands here too) and still `reserve` bytes left for everything else.
 */
export function uploadFits(declared: number, copies: number, free: number, reserve: number): boolean {
  return declared * copies + reserve <= free;
}

/** Writes and removes a tiny file in `dir` (made if missing, its parent must exist): false when refused (full, read-only). */
export async function canWrite(dir: string, name: string): Promise<boolean> {
  const path = join(dir, name);
  try {
    // Not `recursive`: Node's recursive mkdir never returns on some special filesystems (seen on /proc).
    await mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await writeFile(path, 'x', { mode: 0o600 });
    return true;
  } catch {
    return false;
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
