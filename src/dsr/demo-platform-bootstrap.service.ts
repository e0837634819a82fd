import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../postgres/database-connection';
import { systemActor } from '../authz/actor';
import { DataSystemsService } from './data-systems.service';
import { createDemoPlatform, ensureDemoPlatformDatabase } from './demo-platform/demo-platform';
import { parseDataSystemYaml } from './domain/data-map';
import { DsrRepository } from './dsr.repository';

/** The shipped data map of the demo platform. */
export const DEMO_PLATFORM_MAP = join('data-systems', 'patient-platform.yaml');

/**
 * With demo data (the embedded default): a demo patient platform database next to Attest's own, seeded
 * with synthetic people and registered as the `patient-platform` data system, so DSRs and drills work out
 * of the box. Idempotent; a failure is logged and does not stop the server.
 */
@Injectable()
export class DemoPlatformBootstrap implements OnApplicationBootstrap {
  private readonly log = new Logger('DemoPlatform');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_CONNECTION) private readonly db: DatabaseConnection,
    private readonly systems: DataSystemsService,
    private readonly repo: DsrRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.dsrDemoPlatform) return;
    try {
      await this.ensure();
    } catch (e) {
      this.log.warn(`demo patient platform not available: ${(e as Error).message}`);
    }
  }

  /** Creates, seeds and registers the demo platform when missing; returns its database URL. */
  async ensure(people?: number): Promise<string> {
    const own = new URL(this.db.url).pathname.slice(1) || 'attest';
    const url = await ensureDemoPlatformDatabase(this.db.url, `${own}_platform`.slice(0, 63));
    const result = await createDemoPlatform(url, { people });
    if (result.seeded) this.log.log(`demo patient platform seeded with ${result.patients} synthetic people`);
    if (!(await this.repo.findSystemByKey('patient-platform'))) {
      const definition = parseDataSystemYaml(readFileSync(join(this.config.controlsDir, DEMO_PLATFORM_MAP), 'utf8'), {
        secretsSupplied: true,
      });
      await this.systems.register(systemActor('demo-seed'), definition, { secrets: { url } });
      this.log.log('registered the demo patient platform as data system patient-platform');
    }
    return url;
  }
}
