import { Injectable } from '@nestjs/common';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { NotFoundError, ValidationError } from '../common/errors/app-error';
import { CreateCapaDto, UpdateCapaDto } from './dto/incident.dto';
import { IncidentLedger } from './incident-ledger';
import { IncidentCapa } from './incident-records.entity';
import type { IncidentDetail } from './incident-views';
import { IncidentsService } from './incidents.service';

/**
 * Corrective and preventive actions of an incident: added by whoever runs the incident, each with an
 * owner and a due date; closed as done (with the evidence item that verifies it) or accepted (with why),
 * by its owner or whoever runs the incident.
 */
@Injectable()
export class IncidentCapasService {
  constructor(
    private readonly ledger: IncidentLedger,
    private readonly incidents: IncidentsService,
    private readonly evidence: EvidenceQueriesService,
  ) {}

  /**
   * Whether the evidence item exists and the caller may read it, by the evidence module's own check (as
   * GET /api/evidence/:id): an item they may not read is answered like a missing one, so ids cannot be probed.
   */
  private async readsEvidence(actor: UserActor, id: string): Promise<boolean> {
    try {
      await this.evidence.get(actor, id);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async add(actor: UserActor, id: string, dto: CreateCapaDto): Promise<IncidentDetail> {
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(abilityFor(actor), id, m);
      const [owner] = await m.query<{ active: boolean }[]>(`SELECT active FROM users WHERE id = $1`, [dto.ownerUserId]);
      if (!owner?.active)
        throw new ValidationError([{ field: 'ownerUserId', message: 'ownerUserId must be an active user' }]);
      if (Number.isNaN(Date.parse(`${dto.dueOn}T00:00:00Z`)))
        throw new ValidationError([{ field: 'dueOn', message: 'dueOn must be a real date' }]);
      const title = dto.title.trim();
      await m.insert(IncidentCapa, { incidentId: i.id, title, ownerUserId: dto.ownerUserId, dueOn: dto.dueOn });
      await this.ledger.note(m, {
        incidentId: i.id,
        kind: 'capa',
        text: `CAPA added: ${title} (due ${dto.dueOn})`,
        actor,
        at: new Date(),
      });
      await this.ledger.save(i, m);
      await this.ledger.record(m, actor, 'incident.capa_added', i, toJsonObject({ title, dueOn: dto.dueOn }));
    });
    return this.incidents.get(actor, id);
  }

  async update(actor: UserActor, id: string, capaId: string, dto: UpdateCapaDto): Promise<IncidentDetail> {
    const ability = abilityFor(actor);
    await this.ledger.transaction(async (m) => {
      const capa = await m.findOneBy(IncidentCapa, { id: capaId, incidentId: id });
      const i = await this.ledger.lock(ability, id, m, {
        allowed: (row) =>
          ability.can('update', asSubject('Incident', { ...row, capaOwnerUserIds: [] })) ||
          (capa !== null && ability.can('update', asSubject('IncidentCapa', capa))),
      });
      if (!capa) throw new NotFoundError('capa', capaId);
      if (dto.status === 'done' && !dto.verificationEvidenceId)
        throw new ValidationError([
          { field: 'verificationEvidenceId', message: 'a done CAPA names the evidence that verifies it' },
        ]);
      if (dto.status === 'accepted' && !dto.note?.trim())
        throw new ValidationError([
          { field: 'note', message: 'an accepted CAPA says why it is accepted without being done' },
        ]);
      if (dto.verificationEvidenceId && !(await this.readsEvidence(actor, dto.verificationEvidenceId)))
        throw new ValidationError([{ field: 'verificationEvidenceId', message: 'no such evidence item' }]);
      const closing = dto.status !== 'open';
      const now = new Date();
      await m.update(IncidentCapa, capa.id, {
        status: dto.status,
        verificationEvidenceId: dto.verificationEvidenceId ?? null,
        note: dto.note?.trim() || null,
        closedAt: closing ? now : null,
        closedBy: closing ? actorRef(actor) : null,
      });
      await this.ledger.note(m, {
        incidentId: i.id,
        kind: 'capa',
        text: `CAPA ${dto.status}: ${capa.title}`,
        actor,
        at: now,
      });
      await this.ledger.save(i, m);
      await this.ledger.record(
        m,
        actor,
        'incident.capa_updated',
        i,
        toJsonObject({ capa: capa.id, status: dto.status }),
      );
    });
    return this.incidents.get(actor, id);
  }
}
