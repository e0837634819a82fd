import { Injectable } from '@nestjs/common';
import { abilityFor } from '../authz/ability.factory';
import { systemActor } from '../authz/actor';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { formatDate, localDate } from '../common/time/calendar';
import { incidentClocks, peakSeverity } from './domain/incident-clocks';
import { incidentRef } from './domain/incident-model';
import { IncidentPolicyService } from './incident-policy.service';
import { factsOf, listItem, type IncidentListItem } from './incident-views';
import type { Incident } from './incident.entity';
import { IncidentsRepository } from './incidents.repository';

/** Rows read at a time by `list` (it reads every page). */
const LIST_PAGE = 500;

type Counts = Record<string, { open: number; closed: number }>;

/**
 * The weekly incident register snapshot (the `incident-register` collector's evidence): counts by severity
 * and category, each open incident with its clocks, the clocks met or missed in the week, CAPAs open and
 * overdue, and the incidents closed in the week with their post-incident review. Refs, facts and dates
 * only: no titles, descriptions, people or data subjects (free text beyond the review stays in the app).
 */
@Injectable()
export class IncidentRegisterService {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly policies: IncidentPolicyService,
  ) {}

  /**
   * Every incident (or the open ones) as the system sees it, without people: `attest incident list`. Read
   * page by page (`pageSize` rows at a time) until a page comes back short, so nothing is cut off; an
   * incident reported meanwhile may shift a row onto the next page, which is then listed once.
   */
  async list(filter: { open?: boolean }, now = new Date(), pageSize = LIST_PAGE): Promise<IncidentListItem[]> {
    const ability = abilityFor(systemActor('cli'));
    const ctx = {
      policy: this.policies.policy(),
      now,
      names: new Map<string, string>(),
      identities: false,
      assessment: false,
    };
    const items: IncidentListItem[] = [];
    const seen = new Set<string>();
    for (let offset = 0; ; offset += pageSize) {
      const { rows } = await this.repo.listVisible(ability, { open: !!filter.open }, { limit: pageSize, offset });
      const fresh = rows.filter((r) => !seen.has(r.id));
      const records = await this.repo.recordsOf(fresh.map((r) => r.id));
      for (const r of fresh) {
        seen.add(r.id);
        items.push(listItem(r, records, ctx));
      }
      if (rows.length < pageSize) return items;
    }
  }

  /** The register for the week [from, to), as it stands at `now`. */
  async registerSnapshot(from: Date, to: Date, now = new Date()): Promise<JsonObject> {
    const policy = this.policies.policy();
    const incidents = await this.repo.openSince(from, to);
    const records = await this.repo.recordsOf(incidents.map((i) => i.id));
    const today = formatDate(localDate(now));
    const bySeverity: Counts = {};
    const byCategory: Counts = {};
    for (const c of await this.repo.counts()) {
      const into = c.by === 'severity' ? bySeverity : byCategory;
      into[c.key] ??= { open: 0, closed: 0 };
      into[c.key][c.closed ? 'closed' : 'open'] += c.n;
    }
    const inWeek = (d: Date | null) => d !== null && d >= from && d < to;
    const open: JsonObject[] = [];
    const clocksDone: JsonObject[] = [];
    const closed: JsonObject[] = [];
    const capas = { open: 0, overdue: [] as { incident: string; dueOn: string }[] };
    for (const i of incidents) {
      const ref = incidentRef(i.number);
      const facts = factsOf(i, records);
      const clocks = incidentClocks(facts, policy, now);
      for (const c of clocks)
        if ((c.state === 'met' || c.state === 'missed') && inWeek(c.doneAt))
          clocksDone.push(
            toJsonObject({
              incident: ref,
              clock: c.key,
              state: c.state,
              dueAt: c.dueAt?.toISOString() ?? null,
              doneAt: c.doneAt!.toISOString(),
              lateReasonGiven: c.state === 'missed' ? !c.needsLateReason : null,
            }),
          );
      for (const capa of records.capas.get(i.id) ?? []) {
        if (capa.status !== 'open') continue;
        capas.open++;
        if (capa.dueOn < today) capas.overdue.push({ incident: ref, dueOn: capa.dueOn });
      }
      const base = { ref, severity: i.severity, peakSeverity: peakSeverity(facts, policy), categories: i.categories };
      if (i.status !== 'closed')
        open.push(toJsonObject({ ...base, ...openItem(i), clocks: clocks.map((c) => clockItem(c)) }));
      else if (inWeek(i.closedAt)) closed.push(toJsonObject({ ...base, ...closedItem(i) }));
    }
    return toJsonObject({
      from: from.toISOString(),
      to: to.toISOString(),
      counts: { bySeverity, byCategory },
      open,
      clocksMetOrMissed: clocksDone,
      capas: { open: capas.open, overdue: capas.overdue.length, overdueItems: capas.overdue },
      closed,
    });
  }
}

const openItem = (i: Incident) => ({ status: i.status, awareAt: i.awareAt.toISOString() });

const clockItem = (c: ReturnType<typeof incidentClocks>[number]) => ({
  key: c.key,
  label: c.label,
  dueAt: c.dueAt?.toISOString() ?? null,
  doneAt: c.doneAt?.toISOString() ?? null,
  state: c.state,
});

/** A closed incident with its review (who wrote it left out). */
const closedItem = (i: Incident) => ({
  awareAt: i.awareAt.toISOString(),
  closedAt: i.closedAt!.toISOString(),
  review: i.review
    ? { cause: i.review.cause, wentWell: i.review.wentWell, toChange: i.review.toChange, at: i.review.at }
    : null,
});
