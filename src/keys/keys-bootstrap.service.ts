import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DEMO_USERS } from '../identity/demo-users';
import { KeysService } from './keys.service';

/**
 * Demo data (embedded default or DEMO=1): a few keys of engineering, one overdue, one due soon, one fine.
 * Provided by AppModule (the server), so CLI commands that load the keys module seed nothing.
 */
@Injectable()
export class KeysBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Keys');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const owner = DEMO_USERS.find((u) => u.role === 'control_owner' && u.department === 'engineering');
    if (!owner) return;
    try {
      const seeded = await this.keys.seedDemoKeys(owner.email);
      if (seeded) this.log.log(`seeded ${seeded} demo keys for ${owner.email}`);
    } catch (e) {
      this.log.warn(`demo keys not seeded: ${(e as Error).message}`);
    }
  }
}
