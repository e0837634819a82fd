import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { formatLocalTime } from '../common/time/calendar';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { incidentClocks, type IncidentClock } from './domain/incident-clocks';
import { incidentRef } from './domain/incident-model';
import { severityPolicy, type IncidentPolicy } from './domain/incident-policy';
import { IncidentPolicyService } from './incident-policy.service';
import { factsOf } from './incident-views';
import type { Incident } from './incident.entity';
import { IncidentsRepository } from './incidents.repository';

type AlertKind = 'remind' | 'overdue';

/** The people an alert goes to, looked up once per run. */
interface Audience {
  managers: string[];
  admins: string[];
  privacyOfficers: string[];
  clinicalOwners: string[];
}

/** Who answers a clock: PDPA clocks the privacy officers, Thai FDA ones clinical owners, severity ones the commander. */
function clockOwners(clockKey: string, i: Incident, a: Audience): string[] {
  if (clockKey.startsWith('breach_')) return a.privacyOfficers;
  if (clockKey.startsWith('adverse_event_') || clockKey.startsWith('fsca_')) return a.clinicalOwners;
  return i.commanderUserId ? [] : a.managers; // the commander is told anyway
}

/**
 * Incident reminders and escalations through the notification outbox. A clock due soon brings a reminder
 * to the commander and the clock's owners; an overdue one an escalation to them and to the compliance
 * managers and admins. Each is sent once per incident, clock, deadline and person (the dedupe key), so every
 * run, on any instance, may send them all again safely, and a deadline that moves (awareAt corrected, a
 * shorter adverse-event category, a raised severity) brings its own reminder and escalation. A SEV1 tells
 * compliance managers and admins at once, in the transaction that reports or raises it.
 */
@Injectable()
export class IncidentAlertsService {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly policies: IncidentPolicyService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Reminders and escalations due at `now` (open incidents, and legal clocks of closed ones); counts those created. */
  async remindAndEscalate(now = new Date()): Promise<{ reminders: number; escalations: number }> {
    const policy = this.policies.policy();
    const incidents = await this.repo.alertableIncidents();
    if (incidents.length === 0) return { reminders: 0, escalations: 0 };
    const records = await this.repo.recordsOf(incidents.map((i) => i.id));
    const audience = await this.audience();
    const sent = { reminders: 0, escalations: 0 };
    for (const i of incidents) {
      for (const c of incidentClocks(factsOf(i, records), policy, now)) {
        const kind: AlertKind | null = c.state === 'due_soon' ? 'remind' : c.state === 'overdue' ? 'overdue' : null;
        if (!kind) continue;
        const created = await this.alert(i, c, kind, audience);
        if (kind === 'remind') sent.reminders += created;
        else sent.escalations += created;
      }
    }
    return sent;
  }

  /**
   * Tells the compliance managers and admins about an incident that is (now) at a severity the policy
   * escalates at once (SEV1), in the caller's transaction; once per incident and person.
   */
  async announceIfEscalateAtOnce(i: Incident, policy: IncidentPolicy, m: EntityManager): Promise<void> {
    if (!severityPolicy(policy, i.severity)?.escalateAtOnce) return;
    const { managers, admins } = await this.audience();
    const ref = incidentRef(i.number);
    for (const userId of new Set([...managers, ...admins]))
      await this.notifications.enqueue(
        {
          recipientUserId: userId,
          kind: 'incident.sev1',
          dedupeKey: `incident:${i.id}:sev1:${userId}`,
          subject: `${ref} is ${i.severity}: ${oneLine(i.title)}`.slice(0, 200),
          body:
            `${ref} (${i.severity}, ${i.categories.join(', ')}) needs leadership now: ` +
            `aware since ${formatLocalTime(i.awareAt)}. Status: ${i.status}.`,
          link: `/incidents/${i.id}`,
        },
        m,
      );
  }

  private async audience(): Promise<Audience> {
    const [managers, admins, privacyOfficers, clinicalOwners] = await Promise.all([
      this.users.activeUserIds({ role: 'compliance_manager' }),
      this.users.activeUserIds({ role: 'admin' }),
      this.users.activeUserIds({ role: 'privacy_officer' }),
      this.users.activeUserIds({ role: 'control_owner', departmentKey: 'clinical' }),
    ]);
    return { managers, admins, privacyOfficers, clinicalOwners };
  }

  /** One reminder or escalation to each person concerned; how many were created now. */
  private async alert(i: Incident, c: IncidentClock, kind: AlertKind, a: Audience): Promise<number> {
    const people = new Set([
      ...(i.commanderUserId ? [i.commanderUserId] : []),
      ...clockOwners(c.key, i, a),
      ...(kind === 'overdue' ? [...a.managers, ...a.admins] : []),
    ]);
    const ref = incidentRef(i.number);
    const dueAt = c.dueAt!;
    const due = formatLocalTime(dueAt);
    const subject =
      kind === 'remind' ? `${ref}: "${c.label}" due ${due}` : `Overdue: ${ref} "${c.label}" was due ${due}`;
    const body =
      `${ref} (${i.severity}) ${oneLine(i.title)}\n\n` +
      `${c.label}: ${kind === 'remind' ? 'due' : 'was due'} ${due}${kind === 'overdue' ? ' and is not done yet' : ''}.\n` +
      `Source: ${c.source}.`;
    let created = 0;
    for (const userId of people) {
      const ok = await this.notifications.enqueue({
        recipientUserId: userId,
        kind: kind === 'remind' ? 'incident.reminder' : 'incident.escalation',
        // The deadline as an ISO instant: about 140 characters in all, well within the outbox's 300.
        dedupeKey: `incident:${i.id}:${c.key}:${kind}:${dueAt.toISOString()}:${userId}`,
        subject: subject.slice(0, 200),
        body,
        link: `/incidents/${i.id}`,
      });
      if (ok) created++;
    }
    return created;
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
