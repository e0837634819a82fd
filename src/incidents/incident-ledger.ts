import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { actorRef, type Actor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { AuditAction } from '../audit-trail/domain/audit-actions';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { ConflictError, ForbiddenError } from '../common/errors/app-error';
import type { TimelineKind } from './domain/incident-model';
import { incidentRef } from './domain/incident-model';
import { IncidentTimelineEntry } from './incident-records.entity';
import { Incident } from './incident.entity';
import { IncidentsRepository } from './incidents.repository';

/**
 * The write path every incident change shares: lock the row the caller may act on (404 when they may not
 * know it, 403 when they may read but not change it, 409 once closed), then record the change in the
 * timeline and the audit trail in the same transaction.
 */
@Injectable()
export class IncidentLedger {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: IncidentsRepository,
    private readonly trail: AuditTrailService,
  ) {}

  /** The incident as the CASL rules see it: its columns and who owns its corrective actions. */
  async asRuleSubject(i: Incident, m?: EntityManager): Promise<object> {
    return { ...i, capaOwnerUserIds: await this.repo.capaOwners(i.id, m) };
  }

  /** The incident the ability may read, or 404. */
  async readable(ability: AppAbility, id: string, m?: EntityManager): Promise<Incident> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findById(id, m) : null;
    return readableOr404(ability, 'Incident', row, {
      entity: 'incident',
      id,
      checkAs: (r) => this.asRuleSubject(r, m),
    });
  }

  /**
   * Locks the incident for a change: 404 when the caller may not read it, 403 when they may read but not
   * `update` it (unless `allowed` says they may do this particular thing), 409 when closed.
   */
  async lock(
    ability: AppAbility,
    id: string,
    m: EntityManager,
    options: { allowed?: (i: Incident) => boolean; openOnly?: boolean } = {},
  ): Promise<Incident> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.lockForUpdate(id, m) : null;
    const incident = await readableOr404(ability, 'Incident', row, {
      entity: 'incident',
      id,
      checkAs: (r) => this.asRuleSubject(r, m),
    });
    const subject = asSubject('Incident', await this.asRuleSubject(incident, m));
    const allowed = options.allowed ? options.allowed(incident) : ability.can('update', subject);
    if (!allowed) throw new ForbiddenError('You may read this incident but not change it.', 'incident.not_yours');
    if ((options.openOnly ?? true) && incident.status === 'closed')
      throw new ConflictError('incident.closed', `${incidentRef(incident.number)} is closed: it can no longer change.`);
    return incident;
  }

  /** Bumps the version (every change does) and saves the row. */
  async save(incident: Incident, m: EntityManager): Promise<Incident> {
    incident.version += 1;
    return m.save(Incident, incident);
  }

  async note(
    m: EntityManager,
    entry: { incidentId: string; kind: TimelineKind; text: string; actor: Actor; at: Date },
  ): Promise<void> {
    await m.insert(IncidentTimelineEntry, {
      incidentId: entry.incidentId,
      kind: entry.kind,
      text: entry.text,
      actor: actorRef(entry.actor),
      at: entry.at,
    });
  }

  /** An audit-trail entry for the change; `data` from toJsonObject() (the incident's ref is added). */
  async record(
    m: EntityManager,
    actor: Actor,
    action: AuditAction,
    incident: Incident,
    data: JsonObject,
  ): Promise<void> {
    await this.trail.append(
      {
        actor: actorRef(actor),
        action,
        subjectType: 'Incident',
        subjectId: incident.id,
        data: { ref: incidentRef(incident.number), ...data },
      },
      m,
    );
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }
}
