import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConflictError } from '../common/errors/app-error';
import { systemActor } from '../authz/actor';
import { DepartmentsService } from './departments.service';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users';
import { UsersService } from './users.service';

/**
 * At start: departments from the catalog, then (embedded default or DEMO=1, never in production unless
 * asked) one demo user per persona. Both idempotent, so restarts and several instances are safe.
 */
@Injectable()
export class IdentityBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Identity');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.departments.syncFromCatalog();
    if (this.config.demo) await this.seedDemoUsers();
  }

  /** Creates the demo users that do not exist yet; returns how many it created. */
  async seedDemoUsers(): Promise<number> {
    let created = 0;
    const existing = await this.users.existingEmails(DEMO_USERS.map((u) => u.email)); // one query, not one per user
    for (const u of DEMO_USERS) {
      if (existing.has(u.email)) continue;
      try {
        await this.users.create(
          systemActor('demo-seed'),
          { email: u.email, name: u.name, role: u.role, department: u.department },
          { password: DEMO_PASSWORD },
        );
        created++;
      } catch (e) {
        // Another instance starting at the same moment created it first.
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    if (created) this.log.log(`seeded ${created} demo users`);
    return created;
  }
}
