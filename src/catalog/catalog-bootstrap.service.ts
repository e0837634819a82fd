import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { actorRef, systemActor } from '../authz/actor';
import { CatalogService } from './catalog.service';

/** Syncs controls/ into the database at start. An invalid catalog stops the start with every problem listed. */
@Injectable()
export class CatalogBootstrapService implements OnApplicationBootstrap {
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
      await this.catalog.syncFromFiles(actorRef(systemActor('catalog')));
      this.settle.resolve();
    } catch (e) {
      this.settle.reject(e);
      throw e;
    }
  }
}
