import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ownedName, removeLeftovers } from '../common/fs/leftovers';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** The folder a build writes into, inside DATA_DIR/packs/<id>/: its name records the building process. */
export function packBuildFolderName(): string {
  return ownedName('.build');
}

/**
 * Half-built packs left by a crashed process: at start, each DATA_DIR/packs/<id>/.build_… folder whose
 * builder is gone is removed (and the pack's folder, once empty), and so are scratch copies in
 * DATA_DIR/tmp/packs. A live builder's folder (another instance on the same DATA_DIR) is kept.
 */
@Injectable()
export class PackScratch implements OnModuleInit {
  private readonly log = new Logger('PackScratch');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const packs = join(this.config.dataDir, 'packs');
    const ids = await readdir(packs, { withFileTypes: true }).catch(() => []);
    for (const id of ids.filter((d) => d.isDirectory())) {
      const removed = await removeLeftovers(join(packs, id.name), { isScratch: (name) => name.startsWith('.build') });
      for (const name of removed)
        this.log.warn(`removed half-built pack ${id.name}/${name} left by a process that is gone`);
      if (removed.length) await rmdir(join(packs, id.name)).catch(() => undefined); // only when nothing else is in it
    }
    for (const name of await removeLeftovers(join(this.config.dataDir, 'tmp', 'packs')))
      this.log.warn(`removed pack scratch file ${name} left by a process that is gone`);
  }
}
