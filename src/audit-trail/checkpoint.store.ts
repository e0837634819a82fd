import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

const FILE = /^checkpoint-(\d{12})\.txt$/;
const MAX_FILE_BYTES = 64 * 1024;

export interface CheckpointFile {
  name: string;
  /** The seq in the file name (the content is authoritative; this names a file that cannot be parsed). */
  seqInName: number;
  text: string;
}

/** One file per checkpoint, never overwritten: DATA_DIR/checkpoints/checkpoint-<seq>.txt, copied to the export folder. */
@Injectable()
export class CheckpointStore {
  readonly dir: string;
  readonly exportDir: string | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = join(config.dataDir, 'checkpoints');
    this.exportDir = config.auditCheckpointExportDir;
  }

  static fileName(seq: number): string {
    return `checkpoint-${String(seq).padStart(12, '0')}.txt`;
  }

  /** Every checkpoint file, oldest (lowest seq) first. */
  list(): CheckpointFile[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => FILE.test(name))
      .sort()
      .map((name) => {
        const path = join(this.dir, name);
        const size = statSync(path).size;
        return { name, seqInName: Number(FILE.exec(name)![1]), text: size > MAX_FILE_BYTES ? '' : readFileSync(path, 'utf8') };
      });
  }

  /** Creates the file; false when a checkpoint for this seq exists already (it is never replaced). */
  write(name: string, text: string): boolean {
    mkdirSync(this.dir, { recursive: true });
    return writeExclusive(join(this.dir, name), text);
  }

  read(name: string): string | null {
    const path = join(this.dir, name);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  /**
   * Copies a checkpoint to the export folder when one is configured, with the public key that verifies it
   * (named by its key id, so a new key never overwrites an old one). Existing files are left alone.
   */
  export(name: string, text: string, publicKeyPem: string, keyIdHex: string): string | null {
    if (!this.exportDir) return null;
    mkdirSync(this.exportDir, { recursive: true });
    writeExclusive(join(this.exportDir, `audit-trail-ed25519-${keyIdHex}.pub.pem`), publicKeyPem);
    writeExclusive(join(this.exportDir, name), text);
    return join(this.exportDir, name);
  }

  pathOf(name: string): string {
    return join(this.dir, name);
  }
}

function writeExclusive(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
