import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import type { AuditAction } from '../audit-trail/domain/audit-actions';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { actorRef, systemActor, type Actor, type UserActor } from '../authz/actor';
import { mayOwnControls } from '../authz/control-ownership';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ForbiddenError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { ReleaseGatesService } from '../releases/release-gates.service';
import { clockOf } from './domain/key-clock';
import type { KeyKind } from './domain/key-model';
import {
  CreateKeyDto,
  KeyQueryDto,
  RecordRotationDto,
  type KeyDetail,
  type KeyView,
  type RotationView,
} from './dto/key.dto';
import type { Key, KeyRotation } from './key.entity';
import { KeysRepository } from './keys.repository';
import './keys.errors';

/** Rotations may be dated a little ahead of the server's clock (a CI runner's clock), not more. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The register's rows an audit pack states at a moment (never a secret's value: the register holds none). */
export interface KeyRegisterRecords {
  keys: Key[];
  rotations: KeyRotation[];
  /** Owners' names. */
  names: Map<string, string>;
  /** Interval in days per kind when a key sets none (controls/release-gates.yaml). */
  defaults: Record<KeyKind, number>;
}

/**
 * The keys and credentials register (issue 18): named secrets (never their values), their owners and
 * rotation clocks; rotations recorded by CI (an API token) or attested by an owner (signed in), each audited.
 */
@Injectable()
export class KeysService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: KeysRepository,
    private readonly gates: ReleaseGatesService,
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
    private readonly trail: AuditTrailService,
  ) {}

  /** The kinds' default intervals (keyRotationDays in controls/release-gates.yaml; 422 when the file is wrong). */
  defaults(): Record<KeyKind, number> {
    return this.gates.policy().keyRotationDays;
  }

  /** Keys the actor may read with their clocks at `now`, by name; filtered by state and department. */
  async list(actor: UserActor, query: KeyQueryDto, now = new Date()): Promise<Page<KeyView>> {
    const rows = await this.repo.listVisible(abilityFor(actor), { department: query.department });
    const views = await this.views(rows, now);
    const matching = query.state ? views.filter((v) => v.state === query.state) : views;
    const page = pageOf(query);
    return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length, ...page };
  }

  /** One key with its clock and its rotations (an auditor: those recorded before their period's end). */
  async get(actor: UserActor, name: string, now = new Date()): Promise<KeyDetail> {
    const ability = abilityFor(actor);
    const key = await readableOr404(ability, 'Key', await this.repo.findByName(name), { entity: 'key', id: name });
    return this.detail(ability, key, now);
  }

  /** Registers a key; 409 naming `name` when it is taken, 400 naming `ownerEmail`/`department` when they do not fit. */
  async register(actor: UserActor, dto: CreateKeyDto, now = new Date()): Promise<KeyDetail> {
    this.defaults();
    const owner = (await this.users.activeUsers()).find((u) => u.email.toLowerCase() === dto.ownerEmail.toLowerCase());
    if (!owner || !mayOwnControls(owner))
      throw new ValidationError(
        [{ field: 'ownerEmail', message: 'must be an active person who may own controls (not an auditor or viewer)' }],
        undefined,
        'key.owner_invalid',
      );
    const department = dto.department ?? owner.departmentKey;
    if (!department || !(await this.departments.findByKey(department)))
      throw new ValidationError(
        [
          {
            field: 'department',
            message: department ? 'is not a department' : 'is needed: the owner has no department',
          },
        ],
        undefined,
        'key.unknown_department',
      );
    const ability = abilityFor(actor);
    if (!ability.can('create', asSubject('Key', { department })))
      throw new ForbiddenError(`You may register keys of your own department only, not ${department}.`);
    const key = await this.ds.transaction(async (m) => {
      const row = await this.repo.insert(
        {
          name: dto.name,
          system: dto.system.trim(),
          kind: dto.kind,
          intervalDays: dto.intervalDays ?? null,
          ownerUserId: owner.id,
          department,
          createdByUserId: actor.id,
        },
        m,
      );
      await this.audit(m, actor, 'key.register', row, {
        system: row.system,
        kind: row.kind,
        intervalDays: row.intervalDays,
        owner: `user:${row.ownerUserId}`,
        department,
      });
      return row;
    });
    return this.detail(ability, key, now);
  }

  /**
   * Records a rotation of the key: with an API token it is CI's record (`ci`), signed in it is an owner's
   * attestation (`owner_attestation`). 404 for a key the actor may not read, 403 when they may read it but
   * not record its rotations; `rotatedAt` may not lie in the future.
   */
  async recordRotation(actor: UserActor, name: string, dto: RecordRotationDto, now = new Date()): Promise<KeyDetail> {
    const ability = abilityFor(actor);
    const rotatedAt = dto.rotatedAt ? new Date(dto.rotatedAt) : now;
    const key = await this.ds.transaction(async (m) => {
      const row = await readableOr404(ability, 'Key', await this.repo.lock(name, m), { entity: 'key', id: name });
      if (!ability.can('create', asSubject('KeyRotation', { department: row.department, rotatedAt })))
        throw new ForbiddenError(`You may not record rotations of ${name}.`);
      if (rotatedAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
        throw new ValidationError([{ field: 'rotatedAt', message: 'must not be in the future' }]);
      const source = actor.via === 'token' ? 'ci' : 'owner_attestation';
      const rotation = await this.repo.insertRotation(
        {
          keyId: row.id,
          rotatedAt,
          source,
          actorUserId: actor.id,
          note: dto.note?.trim() || null,
          evidence: dto.evidence?.trim() || null,
        },
        m,
      );
      await this.audit(m, actor, 'key.rotate', row, {
        rotatedAt: rotatedAt.toISOString(),
        source,
        evidence: rotation.evidence,
      });
      return (await this.repo.findByName(name, m))!;
    });
    return this.detail(ability, key, now);
  }

  /**
   * The demo keys (DEMO=1): of the engineering owner, rotated so that one is overdue, one due soon and one
   * fine today; keys already there are left alone. The number seeded.
   */
  async seedDemoKeys(ownerEmail: string, now = new Date()): Promise<number> {
    const owner = (await this.users.activeUsers()).find((u) => u.email === ownerEmail);
    if (!owner?.departmentKey) return 0;
    const day = 86_400_000;
    const demo = [
      { name: 'payment-gateway-api-key', system: 'Payment gateway', kind: 'third_party' as const, ago: 35 },
      { name: 'sms-provider-api-key', system: 'SMS provider (OTP)', kind: 'third_party' as const, ago: 26 },
      { name: 'database-service-role', system: 'Database (production)', kind: 'service_role' as const, ago: 10 },
    ];
    let seeded = 0;
    for (const d of demo) {
      await this.ds.transaction(async (m) => {
        // Two instances starting together seed once: the second waits here, then finds the key.
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('attest-demo-keys'))`);
        if (await this.repo.findByName(d.name, m)) return;
        const key = await this.repo.insert(
          { ...d, intervalDays: null, ownerUserId: owner.id, department: owner.departmentKey!, createdByUserId: null },
          m,
        );
        const rotatedAt = new Date(now.getTime() - d.ago * day);
        await this.repo.insertRotation(
          {
            keyId: key.id,
            rotatedAt,
            source: 'owner_attestation',
            actorUserId: owner.id,
            note: 'demo data',
            evidence: null,
          },
          m,
        );
        await this.audit(m, systemActor('demo-seed'), 'key.register', key, { demo: true });
        seeded++;
      });
    }
    return seeded;
  }

  /** Every key with its clock at `now` (the reminder job and the weekly snapshot: the system reads all). */
  async allWithClocks(now: Date): Promise<{ key: Key; view: KeyView }[]> {
    const rows = await this.repo.all();
    const views = await this.views(rows, now);
    return rows.map((key, i) => ({ key, view: views[i] }));
  }

  /** Every key with all its rotations, owners' names and the default intervals (audit packs: pack-secops). */
  async registerRecords(): Promise<KeyRegisterRecords> {
    const keys = await this.repo.all();
    const rotations = await this.repo.rotationsOf(keys.map((k) => k.id));
    const names = await this.users.namesByIds(keys.map((k) => k.ownerUserId));
    return { keys, rotations, names, defaults: this.defaults() };
  }

  /** Rotations of the keys recorded within [from, to) (the weekly snapshot). */
  async rotationsBetween(keyIds: string[], from: Date, to: Date): Promise<KeyRotation[]> {
    return (await this.repo.rotationsOf(keyIds)).filter((r) => r.rotatedAt >= from && r.rotatedAt < to);
  }

  private async views(rows: Key[], now: Date): Promise<KeyView[]> {
    const defaults = this.defaults();
    const names = await this.users.namesByIds(rows.map((r) => r.ownerUserId));
    return rows.map((r) => {
      const clock = clockOf(r, defaults, now, this.config.timeZone);
      return {
        name: r.name,
        system: r.system,
        kind: r.kind,
        intervalDays: clock.intervalDays,
        ownInterval: r.intervalDays !== null,
        ownerUserId: r.ownerUserId,
        ownerName: names.get(r.ownerUserId) ?? null,
        department: r.department,
        createdAt: r.createdAt.toISOString(),
        lastRotatedAt: r.lastRotatedAt?.toISOString() ?? null,
        dueAt: clock.dueAt.toISOString(),
        remindAt: clock.remindAt.toISOString(),
        state: clock.state,
      };
    });
  }

  private async detail(ability: AppAbility, key: Key, now: Date): Promise<KeyDetail> {
    const [view] = await this.views([key], now);
    const rotations = (await this.repo.rotationsOf([key.id])).filter((r) =>
      ability.can('read', asSubject('KeyRotation', { ...r, department: key.department })),
    );
    const names = await this.users.namesByIds(rotations.map((r) => r.actorUserId));
    const history: RotationView[] = rotations.map((r) => ({
      rotatedAt: r.rotatedAt.toISOString(),
      source: r.source,
      actorUserId: r.actorUserId,
      actorName: names.get(r.actorUserId) ?? null,
      note: r.note,
      evidence: r.evidence,
      recordedAt: r.recordedAt.toISOString(),
    }));
    return { ...view, rotations: history };
  }

  async audit(m: EntityManager, actor: Actor, action: AuditAction, k: Key, data: object): Promise<void> {
    await this.trail.append(
      {
        actor: actorRef(actor),
        action,
        subjectType: 'Key',
        subjectId: k.id,
        data: toJsonObject({ name: k.name, ...data }),
      },
      m,
    );
  }
}
