import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy, UnsupportedCaslConditionError, type VirtualFields } from '../authz/casl-sql';
import type { IncidentCategory, IncidentStatus } from './domain/incident-model';
import {
  IncidentBreachAssessment,
  IncidentCapa,
  IncidentNotice,
  IncidentRisk,
  IncidentSeverityChange,
  IncidentTimelineEntry,
} from './incident-records.entity';
import { Incident } from './incident.entity';

export interface IncidentListFilter {
  status?: IncidentStatus;
  open?: boolean;
  severity?: string;
  category?: IncidentCategory;
  q?: string;
  /** Aware within [from, to) (the audit pack's period). */
  awareFrom?: Date;
  awareTo?: Date;
}

/** What the clocks and views of a set of incidents are computed from, by incident id. */
export interface IncidentRecords {
  severities: Map<string, IncidentSeverityChange[]>;
  assessments: Map<string, IncidentBreachAssessment[]>;
  notices: Map<string, IncidentNotice[]>;
  capas: Map<string, IncidentCapa[]>;
}

/** Key of the advisory lock under which incident numbers are allocated ("INCN"). */
const INCIDENT_NUMBER_LOCK_KEY = 0x494e434e;

/** `capaOwnerUserIds` in an Incident rule: someone owns one of the incident's corrective actions. */
const INCIDENT_VIRTUAL_FIELDS: VirtualFields = {
  capaOwnerUserIds: (operator, value, param) => {
    if (operator !== 'eq') throw new UnsupportedCaslConditionError(`CASL operator ${operator} on capaOwnerUserIds`);
    return `EXISTS (SELECT 1 FROM incident_capas c WHERE c.incident_id = i.id AND c.owner_user_id = ${param(value)})`;
  },
};

const groupBy = <T extends { incidentId: string }>(rows: T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.incidentId, [...(out.get(r.incidentId) ?? []), r]);
  return out;
};

/** The only place with incident query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class IncidentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  /** Incidents the ability may read, newest awareness first, with the total. */
  async listVisible(
    ability: AppAbility,
    filter: IncidentListFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: Incident[]; total: number }> {
    const qb = accessibleBy(
      this.ds.manager.createQueryBuilder(Incident, 'i'),
      ability,
      'read',
      'Incident',
      INCIDENT_VIRTUAL_FIELDS,
    );
    if (filter.status) qb.andWhere('i.status = :status', { status: filter.status });
    if (filter.open) qb.andWhere("i.status <> 'closed'");
    if (filter.severity) qb.andWhere('i.severity = :severity', { severity: filter.severity });
    if (filter.category) qb.andWhere(':category = ANY(i.categories)', { category: filter.category });
    if (filter.awareFrom) qb.andWhere('i.aware_at >= :from', { from: filter.awareFrom });
    if (filter.awareTo) qb.andWhere('i.aware_at < :to', { to: filter.awareTo });
    if (filter.q)
      qb.andWhere(
        new Brackets((w) =>
          w
            .where("i.title ILIKE :q ESCAPE '\\'", { q: containsPattern(filter.q!) })
            .orWhere('i.number::text = :n', { n: filter.q!.replace(/^INC-0*/i, '') }),
        ),
      );
    const [rows, total] = await qb
      .orderBy('i.aware_at', 'DESC')
      .addOrderBy('i.number', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** Every incident not closed, oldest awareness first (what the alerts job checks; no ability: the system's). */
  /**
   * Incidents whose clocks may still want a reminder: every open one, and closed ones with legal clocks
   * (personal data or clinical safety), which closing does not stop.
   */
  alertableIncidents(): Promise<Incident[]> {
    return this.ds.manager
      .createQueryBuilder(Incident, 'i')
      .where("i.status <> 'closed' OR i.personal_data OR i.clinical_safety")
      .orderBy('i.aware_at', 'ASC')
      .addOrderBy('i.number', 'ASC')
      .getMany();
  }

  /** Incidents aware before `to` and open at `from` or later (still open, or closed since): a week's register. */
  openSince(from: Date, to: Date): Promise<Incident[]> {
    return this.ds.manager
      .createQueryBuilder(Incident, 'i')
      .where('i.aware_at < :to', { to })
      .andWhere("(i.status <> 'closed' OR i.closed_at >= :from)", { from })
      .orderBy('i.number', 'ASC')
      .getMany();
  }

  /** How many incidents, open and closed, per severity and per category (the whole register). */
  async counts(): Promise<{ by: 'severity' | 'category'; key: string; closed: boolean; n: number }[]> {
    const rows: { by: 'severity' | 'category'; key: string; closed: boolean; n: string }[] = await this.ds.query(
      `SELECT 'severity' AS by, severity AS key, status = 'closed' AS closed, count(*) AS n FROM incidents GROUP BY 2, 3
       UNION ALL
       SELECT 'category', c, status = 'closed', count(*) FROM incidents, unnest(categories) AS c GROUP BY 2, 3
       ORDER BY 1, 2, 3`,
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  findById(id: string, m?: EntityManager): Promise<Incident | null> {
    return this.m(m).findOneBy(Incident, { id });
  }

  findByExternalKey(key: string, m?: EntityManager): Promise<Incident | null> {
    return this.m(m).findOneBy(Incident, { externalKey: key });
  }

  lockForUpdate(id: string, m: EntityManager): Promise<Incident | null> {
    return m.createQueryBuilder(Incident, 'i').setLock('pessimistic_write').where('i.id = :id', { id }).getOne();
  }

  /**
   * Inserts the incident with the next number unless its external key is taken (a retried alert): the new
   * row, or null when an incident with that key exists (the caller then reads that one). Holds a
   * transaction-scoped advisory lock from the key lookup to the commit, so reports on every instance take
   * numbers one at a time as max + 1: a retried alert or a rolled-back report consumes no number.
   */
  async insertOnce(row: Partial<Incident>, m: EntityManager): Promise<Incident | null> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [INCIDENT_NUMBER_LOCK_KEY]);
    if (row.externalKey && (await this.findByExternalKey(row.externalKey, m))) return null;
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(Incident)
      .values({ ...row, number: () => '(SELECT coalesce(max(number), 0) + 1 FROM incidents)' })
      .returning('id')
      .execute();
    return this.findById((result.raw as { id: string }[])[0].id, m);
  }

  /** Owners of the incident's corrective actions (what the `capaOwnerUserIds` rule checks in memory). */
  async capaOwners(id: string, m?: EntityManager): Promise<string[]> {
    const rows = await this.m(m).find(IncidentCapa, { where: { incidentId: id }, select: { ownerUserId: true } });
    return [...new Set(rows.map((r) => r.ownerUserId))];
  }

  /** Severity changes, assessments, notices and CAPAs of the incidents, oldest first. */
  async recordsOf(ids: string[], m?: EntityManager): Promise<IncidentRecords> {
    if (ids.length === 0)
      return { severities: new Map(), assessments: new Map(), notices: new Map(), capas: new Map() };
    const where = { incidentId: In(ids) };
    const [severities, assessments, notices, capas] = await Promise.all([
      this.m(m).find(IncidentSeverityChange, { where, order: { at: 'ASC' } }),
      this.m(m).find(IncidentBreachAssessment, { where, order: { decidedAt: 'ASC' } }),
      this.m(m).find(IncidentNotice, { where, order: { sentAt: 'ASC' } }),
      this.m(m).find(IncidentCapa, { where, order: { createdAt: 'ASC' } }),
    ]);
    return {
      severities: groupBy(severities),
      assessments: groupBy(assessments),
      notices: groupBy(notices),
      capas: groupBy(capas),
    };
  }

  /** The `status_change` timeline entries of these incidents, oldest first, by incident id. */
  async statusChangesOf(ids: string[]): Promise<Map<string, IncidentTimelineEntry[]>> {
    if (ids.length === 0) return new Map();
    const rows = await this.ds.manager.find(IncidentTimelineEntry, {
      where: { incidentId: In(ids), kind: 'status_change' },
      order: { at: 'ASC', recordedAt: 'ASC' },
    });
    return groupBy(rows);
  }

  timelineOf(id: string): Promise<IncidentTimelineEntry[]> {
    return this.ds.manager.find(IncidentTimelineEntry, {
      where: { incidentId: id },
      order: { at: 'ASC', recordedAt: 'ASC' },
    });
  }

  /** The linked risks with their register, ref and title. */
  risksOf(id: string): Promise<{ id: string; register: string; ref: string; title: string }[]> {
    return this.ds.manager.query(
      `SELECT r.id, r.register::text AS register, r.ref, r.title FROM incident_risks ir JOIN risks r ON r.id = ir.risk_id
        WHERE ir.incident_id = $1 ORDER BY r.register, r.ref`,
      [id],
    );
  }

  async replaceRisks(id: string, riskIds: string[], m: EntityManager): Promise<void> {
    await m.delete(IncidentRisk, { incidentId: id });
    if (riskIds.length)
      await m.insert(
        IncidentRisk,
        riskIds.map((riskId) => ({ incidentId: id, riskId })),
      );
  }

  async linkRisk(id: string, riskId: string, m: EntityManager): Promise<void> {
    await m.insert(IncidentRisk, { incidentId: id, riskId });
  }

  /** Name and e-mail of the user behind an actor reference (`user:<uuid>`), for the draft's contact point. */
  userContact(actor: string): Promise<{ name: string; email: string }[]> {
    const id = /^user:([0-9a-f-]{36})$/.exec(actor)?.[1];
    if (!id) return Promise.resolve([]);
    return this.ds.query(`SELECT name, email FROM users WHERE id = $1`, [id]);
  }
}
