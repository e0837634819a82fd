import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { systemActor } from '../authz/actor';
import { CatalogBootstrapService } from '../catalog/catalog-bootstrap.service';
import { formatProblem } from '../catalog/domain/catalog-model';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DocumentFilesService } from './document-files.service';

/**
 * Demo data (embedded default or DEMO=1): the seed policies of POLICIES_DIR imported as drafts, as
 * `attest documents import` would (idempotent: an unchanged file changes nothing). A problem is logged,
 * never fatal: the rest of the product works without them. Provided by AppModule (the server), after the
 * start's catalog sync; CLI commands do not seed policies (`attest documents import` does, when asked).
 */
@Injectable()
export class DocumentsBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Documents');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: DocumentFilesService,
    private readonly catalog: CatalogBootstrapService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo || !existsSync(this.config.policiesDir)) return;
    await this.catalog.synced; // the policies link controls: the catalog first
    const r = await this.files.importDir(systemActor('seed'), this.config.policiesDir);
    if (r.problems.length) this.log.warn(`seed policies not imported:\n${r.problems.map(formatProblem).join('\n')}`);
    else if (r.created.length || r.updated.length || r.drafted.length)
      this.log.log(
        `seed policies: ${r.created.length} created, ${r.updated.length} updated, ${r.drafted.length} drafted`,
      );
  }
}
