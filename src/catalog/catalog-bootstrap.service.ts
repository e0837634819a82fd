import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { actorRef, systemActor } from '../authz/actor';
import { CatalogService } from './catalog.service';

/** Syncs controls/ into the database at start. An invalid catalog stops the start with every problem listed. */
@Injectable()
export class CatalogBootstrapService implements OnApplicationBootstrap {
  constructor(private readonly catalog: CatalogService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.catalog.syncFromFiles(actorRef(systemActor('catalog')));
  }
}
