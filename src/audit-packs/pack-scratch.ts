import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ownedName, removeLeftovers } from '../common/fs/leftovers';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PacksRepository } from './packs.repository';

/**
 * The folder a build writes into, inside DATA_DIR/packs/<id>/: its name records the building process and
 * ends with the build's claim token.
 */
export function packBuildFolderName(token: string): string {
  return ownedName('.build', token);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Half-built packs left by a crashed process: at start, each DATA_DIR/packs/<id>/.build_… folder whose
 * builder is gone is removed (and the pack's folder, once empty), and so are scratch copies in
 * DATA_DIR/tmp/packs. A live builder's folder (another instance on the same DATA_DIR) is kept.
 * The build that folder belonged to is known dead, so its pack is queued again at once (when that build
 * still holds it) instead of showing 'building' until its heartbeat is PACK_STALE_MS old; the audit-packs
 * job, which also runs at start, then builds it.
 */
@Injectable()
export class PackScratch implements OnModuleInit {
  private readonly log = new Logger('PackScratch');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PacksRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const packs = join(this.config.dataDir, 'packs');
    const ids = await readdir(packs, { withFileTypes: true }).catch(() => []);
    for (const id of ids.filter((d) => d.isDirectory())) {
      const removed = await removeLeftovers(join(packs, id.name), { isScratch: (name) => name.startsWith('.build') });
      for (const name of removed) {
        this.log.warn(`removed half-built pack ${id.name}/${name} left by a process that is gone`);
        const token = name.slice(name.lastIndexOf('_') + 1);
        if (UUID.test(id.name) && UUID.test(token) && (await this.repo.release(id.name, token)))
          this.log.warn(`audit pack ${id.name}: its builder is gone; queued to be built again`);
      }
      if (removed.length) await rmdir(join(packs, id.name)).catch(() => undefined); // only when nothing else is in it
    }
    for (const name of await removeLeftovers(join(this.config.dataDir, 'tmp', 'packs')))
      this.log.warn(`removed pack scratch file ${name} left by a process that is gone`);
  }
}
