import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canWrite, freeBytes, sameFilesystem, uploadFits } from './storage-space';

describe('uploadFits', () => {
  const MB = 1024 * 1024;
  it('counts every copy and keeps the reserve, exactly at the edge', () => {
    expect(uploadFits(100 * MB, 2, 264 * MB, 64 * MB)).toBe(true); // 200 + 64 = 264
    expect(uploadFits(100 * MB, 2, 264 * MB - 1, 64 * MB)).toBe(false);
    expect(uploadFits(100 * MB, 1, 164 * MB, 64 * MB)).toBe(true);
    expect(uploadFits(0, 2, 64 * MB, 64 * MB)).toBe(true);
  });
});

describe('the filesystem probes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-space-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads free space, tells filesystems apart and probes a write', async () => {
    expect(await freeBytes(dir)).toBeGreaterThan(0);
    expect(await sameFilesystem(dir, tmpdir())).toBe(true);
    expect(await sameFilesystem(dir, join(dir, 'missing'))).toBe(false);
    expect(await canWrite(join(dir, 'sub'), 'probe')).toBe(true);
    expect(await canWrite('/proc/sys', 'attest-probe')).toBe(false);
    expect(await canWrite(join(dir, 'no', 'parent'), 'probe')).toBe(false);
  });
});
