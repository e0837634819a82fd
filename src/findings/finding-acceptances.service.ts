import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError, ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SigningPasswordService } from '../identity/signing-password.service';
import { ReleaseGatesService } from '../releases/release-gates.service';
import { ACCEPTANCE_MEANING, acceptanceSha256 } from './domain/finding-model';
import type { AcceptFindingDto, FindingView } from './dto/finding.dto';
import { FINDING_SIGNING_CODES } from './findings.errors';
import { FindingsRepository } from './findings.repository';
import { FindingsService } from './findings.service';

/** Longest a risk acceptance may last: a year, then it is decided again. */
export const ACCEPTANCE_MAX_DAYS = 366;

/**
 * Risk acceptances (issue 18): an exception to fixing a finding, with a reason and an expiry, signed by a
 * compliance manager or admin with their password re-entered (identity/SigningPasswordService); the
 * signature binds the SHA-256 of the acceptance. Accepted, unexpired scanner findings no longer block a
 * release (releases' `no_blocking_dependency_findings`, matched by fingerprint and product).
 */
@Injectable()
export class FindingAcceptancesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: FindingsRepository,
    private readonly findings: FindingsService,
    private readonly signing: SigningPasswordService,
    private readonly gates: ReleaseGatesService,
    private readonly trail: AuditTrailService,
  ) {}

  onModuleInit(): void {
    this.gates.useAcceptedExceptions((product, now) => this.acceptedFingerprints(product, now));
  }

  async accept(actor: UserActor, id: string, dto: AcceptFindingDto): Promise<FindingView> {
    const ability = abilityFor(actor);
    const f = await this.findings.readable(ability, id);
    if (!ability.can('create', asSubject('FindingAcceptance', { findingId: f.id })))
      throw new ForbiddenError('Only a compliance manager or an admin accepts the risk of a finding.');
    this.signing.requireSession(actor, FINDING_SIGNING_CODES);
    const now = new Date();
    const today = dayOf(now, this.config.timeZone);
    if (!isDay(dto.expiresOn) || dto.expiresOn < today)
      throw new ValidationError([{ field: 'expiresOn', message: 'must be a calendar date, today or later' }]);
    const last = new Date(Date.parse(`${today}T00:00:00Z`) + ACCEPTANCE_MAX_DAYS * 86_400_000);
    if (dto.expiresOn > last.toISOString().slice(0, 10))
      throw new ValidationError([{ field: 'expiresOn', message: `must be at most ${ACCEPTANCE_MAX_DAYS} days away` }]);
    if (f.status !== 'open' && f.status !== 'accepted')
      throw new ConflictError('finding.not_open', `The finding is ${f.status}: only an open finding is accepted.`, [
        { field: 'status', message: `is ${f.status}` },
      ]);
    await this.signing.confirm(actor, dto.password, FINDING_SIGNING_CODES, () =>
      this.trail
        .record({
          actor: actorRef(actor),
          action: 'finding.accept_refused',
          subjectType: 'Finding',
          subjectId: f.id,
          data: { reason: 'wrong_password' },
        })
        .then(() => undefined),
    );
    const row = await this.ds.transaction(async (m) => {
      const locked = (await this.repo.lock(id, m))!;
      const binding = {
        findingId: locked.id,
        fingerprint: locked.fingerprint,
        severity: locked.severity,
        title: locked.title,
        reason: dto.reason.trim(),
        expiresOn: dto.expiresOn,
        meaning: ACCEPTANCE_MEANING,
        signerUserId: actor.id,
        signedAt: now,
      };
      const recordSha256 = acceptanceSha256(binding);
      await this.repo.insertAcceptance({ ...binding, findingId: locked.id, signerRole: actor.role, recordSha256 }, m);
      await this.repo.update(locked.id, { status: 'accepted' }, m);
      await this.findings.audit(m, actor, 'finding.accept', locked, { expiresOn: dto.expiresOn, recordSha256 });
      return { ...locked, status: 'accepted' as const };
    });
    return this.findings.view(row);
  }

  /** Fingerprints of the product's findings under an accepted exception that has not expired at `now`. */
  async acceptedFingerprints(product: string, now: Date): Promise<ReadonlySet<string>> {
    return new Set(await this.repo.acceptedFingerprints(product, dayOf(now, this.config.timeZone)));
  }
}

function isDay(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
