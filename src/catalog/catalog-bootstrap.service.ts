import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { actorRef, systemActor } from '../authz/actor';
import { CatalogService } from './catalog.service';

/**
 * Syncs controls/ into the database at start, unless its files and the sync code are those of the last
 * completed sync (CatalogSyncState). An invalid catalog stops the start with every problem listed.
 */
@Injectable()
export class CatalogBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Catalog');
  private settle!: { resolve: () => void; reject: (e: unknown) => void };
  /**
   * Settles when the start's sync is done: what needs the synced catalog at start (the demo's seed
   * policies link controls) waits for it, whatever order Nest runs the start hooks of one module in.
   */
  readonly synced = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor(private readonly catalog: CatalogService) {
    this.synced.catch(() => undefined); // the failure is the start's own; waiting on it is optional
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const report = await this.catalog.syncFromFilesIfChanged(actorRef(systemActor('catalog')));
      if (!report) this.log.debug('catalog unchanged since the last sync: not parsed');
      this.settle.resolve();
    } catch (e) {
      this.settle.reject(e);
      throw e;
    }
  }
}
