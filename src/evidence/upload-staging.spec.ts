import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AppConfig } from '../config/config';
import { UploadStaging } from './upload-staging';

describe('UploadStaging: a part that fails leaves no file', () => {
  let dataDir: string;
  let staging: UploadStaging;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'attest-staging-'));
    staging = new UploadStaging({ dataDir, uploadLimitBytes: 1024 * 1024 } as AppConfig);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('even when the stream fails before the staged file has been opened (many at once)', async () => {
    const failing = () =>
      new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => staging.stage(failing(), 'x.pdf')));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    await new Promise((r) => setTimeout(r, 50)); // an open still pending would create its file by now
    expect(readdirSync(staging.dir)).toEqual([]);
  });
});
