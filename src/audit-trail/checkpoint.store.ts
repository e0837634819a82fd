import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

const FILE = /^checkpoint-(\d{12})\.txt$/;
const MAX_FILE_BYTES = 64 * 1024;

export interface CheckpointFile {
  name: string;
  /** How reports name it: the file name, or the full path of a copy in the export folder. */
  label: string;
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

  /**
   * Every checkpoint file, lowest seq first: those under DATA_DIR and those in the export folder (a copy
   * identical to a local file counts once), so deleting local files hides nothing the export still holds.
   */
  list(): CheckpointFile[] {
    const local = readCheckpoints(this.dir, (name) => name);
    if (!this.exportDir) return local;
    const localText = new Map(local.map((f) => [f.name, f.text]));
    const exported = readCheckpoints(this.exportDir, (name) => join(this.exportDir!, name)).filter(
      (f) => localText.get(f.name) !== f.text,
    );
    return [...local, ...exported].sort((a, b) => a.seqInName - b.seqInName);
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

function readCheckpoints(dir: string, label: (name: string) => string): CheckpointFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => FILE.test(name))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const text = statSync(path).size > MAX_FILE_BYTES ? '' : readFileSync(path, 'utf8');
      return { name, label: label(name), seqInName: Number(FILE.exec(name)![1]), text };
    });
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
