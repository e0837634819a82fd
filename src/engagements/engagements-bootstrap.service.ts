import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DEMO_USERS } from '../identity/demo-users';
import { EngagementsService } from './engagements.service';

/**
 * Demo data (embedded default or DEMO=1): the demo auditor holds a SOC 2 engagement for the current year,
 * so `npm start` shows the auditor portal with something in it. Idempotent.
 */
@Injectable()
export class EngagementsBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Engagements');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engagements: EngagementsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const auditor = DEMO_USERS.find((u) => u.role === 'auditor');
    if (auditor && (await this.engagements.seedDemoEngagement(auditor.email)))
      this.log.log(`opened a demo SOC 2 engagement for ${auditor.email}`);
  }
}
