import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { actorRef, systemActor } from '../authz/actor';
import { dayOf } from '../common/time/days';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import { ACCEPTANCE_MEANING, acceptanceSha256 } from './domain/finding-model';
import type { Finding } from './finding.entity';
import { FindingsRepository } from './findings.repository';

const DAY = 86_400_000;
const SEED = systemActor('demo-seed');

/**
 * Demo data (embedded default or DEMO=1), once, when the register is empty: an overdue critical finding, an
 * open moderate one, and a high OSV finding whose risk the demo compliance manager accepted until 90 days
 * from now (seeded: no password was entered; the record hash is computed as for a signed one).
 * Provided by AppModule (the server), so CLI commands that load the findings module seed nothing.
 */
@Injectable()
export class FindingsBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Findings');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: FindingsRepository,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    if (await this.seed(new Date())) this.log.log('seeded demo findings');
  }

  /**
   * Seeds under a transaction-scoped advisory lock, checking for an empty register inside it: two instances
   * starting together on one database seed once (the second waits, then finds the rows).
   */
  async seed(now: Date): Promise<boolean> {
    const manager = await this.users.findByEmail('compliance@demo.local');
    if (!manager) return false;
    const rows = demoRows(now);
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('attest-demo-findings'))`);
      if ((await this.repo.countAll(m)) > 0) return false;
      for (const row of rows) {
        const f = await this.repo.insert({ ...row, department: 'engineering', status: 'open' }, m);
        await this.trail.append(
          {
            actor: actorRef(SEED),
            action: 'finding.create',
            subjectType: 'Finding',
            subjectId: f.id,
            data: { demo: true },
          },
          m,
        );
        if (f.source !== 'osv') continue;
        const binding = {
          findingId: f.id,
          fingerprint: f.fingerprint,
          severity: f.severity,
          title: f.title,
          reason: 'The upload helper is not reachable in production (demo data).',
          expiresOn: dayOf(new Date(now.getTime() + 90 * DAY), this.config.timeZone),
          meaning: ACCEPTANCE_MEANING,
          signerUserId: manager.id,
          signedAt: now,
        };
        const recordSha256 = acceptanceSha256(binding);
        await this.repo.insertAcceptance({ ...binding, signerRole: manager.role, recordSha256 }, m);
        await this.repo.update(f.id, { status: 'accepted' }, m);
      }
      return true;
    });
  }
}

function demoRows(now: Date): Partial<Finding>[] {
  return [
    {
      source: 'manual',
      severity: 'critical',
      title: 'Admin console reachable from the internet without MFA',
      detail: 'Found in the access review; the console must sit behind the VPN with MFA (ACC-02).',
      product: 'hms',
      openedAt: new Date(now.getTime() - 20 * DAY),
    },
    {
      source: 'manual',
      severity: 'moderate',
      title: 'Session cookie lifetime longer than the policy allows',
      product: 'patient-platform',
      openedAt: new Date(now.getTime() - 10 * DAY),
    },
    {
      source: 'osv',
      fingerprint: 'GHSA-demo-0000-0001:npm/demo-image-resizer',
      severity: 'high',
      title: 'demo-image-resizer: path traversal in the upload helper',
      detail: 'demo-image-resizer@1.2.0 (npm)',
      product: 'patient-platform',
      openedAt: new Date(now.getTime() - 5 * DAY),
    },
  ];
}
