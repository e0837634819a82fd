import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { formatLocalTime } from '../common/time/calendar';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import {
  acknowledgementBasis,
  acknowledgementDueAt,
  acknowledgementState,
  DEFAULT_ACKNOWLEDGE_WITHIN_DAYS,
  inAudience,
  reminderDue,
  rosterCsv,
  type Audience,
} from './domain/acknowledgements';
import {
  AcknowledgementView,
  MyAcknowledgementsQueryDto,
  RosterEntryView,
  RosterQueryDto,
  RosterView,
} from './dto/acknowledgement.dto';
import type { DocumentAcknowledgement } from './document-acknowledgement.entity';
import { DocumentAcknowledgementsRepository, type AcknowledgementRow } from './document-acknowledgements.repository';
import { DocumentRecords } from './document-records';
import { DocumentTypesService } from './document-types.service';
import type { DocumentVersion } from './document-version.entity';
import type { Document } from './document.entity';
import { DocumentsRepository } from './documents.repository';

export type ActiveUser = Awaited<ReturnType<UsersService['activeUsers']>>[number];

const audienceOf = (d: Document): Audience => ({
  everyone: d.audienceEveryone,
  roles: d.audienceRoles,
  departments: d.audienceDepartments,
});

/**
 * Acknowledgement of controlled documents (issue 17). Publishing a material version asks everyone in the
 * document's audience (active users) to read and acknowledge it, in the publication's transaction; a person
 * who joins the audience later (a new user, a role or department change, a widened audience) is asked by the
 * hourly top-up of the acknowledgement job. Reminders and escalations go through the notification outbox,
 * each once (the dedupe key holds the due time).
 */
@Injectable()
export class DocumentAcknowledgementsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: DocumentAcknowledgementsRepository,
    private readonly documents: DocumentsRepository,
    private readonly records: DocumentRecords,
    private readonly types: DocumentTypesService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Days the type gives to acknowledge (`acknowledgeWithinDays` in document-types.yaml, else 14). */
  private withinDays(doc: Document): number {
    return this.types.of(doc.type).acknowledgeWithinDays ?? DEFAULT_ACKNOWLEDGE_WITHIN_DAYS;
  }

  /**
   * In the publication's transaction: one task per person of the audience when the version is material;
   * none otherwise (the acknowledgement of the previous material version stands). How many were created.
   */
  async askOnPublication(doc: Document, v: DocumentVersion, now: Date, m: EntityManager): Promise<number> {
    if (!v.material) return 0;
    const people = (await this.users.activeUsers()).filter((u) => inAudience({ ...u, active: true }, audienceOf(doc)));
    const dueAt = acknowledgementDueAt(now, this.withinDays(doc));
    return this.repo.insertMissing(
      people.map((u) => this.task(doc, v, u.id, dueAt)),
      m,
    );
  }

  /**
   * Asks everyone in the audience of a published document who holds no current task (they joined the
   * audience after the publication) to acknowledge the version in force, due the type's days from now.
   * Idempotent; how many tasks were created.
   */
  async topUp(now = new Date()): Promise<number> {
    const users = await this.users.activeUsers();
    let created = 0;
    for (const { doc, inForce, basis } of await this.repo.acknowledgedDocuments()) {
      created += await this.ds.transaction(async (m) => {
        const holders = await this.repo.currentHolders(doc.id, basis, m);
        const missing = users.filter((u) => !holders.has(u.id) && inAudience({ ...u, active: true }, audienceOf(doc)));
        const dueAt = acknowledgementDueAt(now, this.withinDays(doc));
        return this.repo.insertMissing(
          missing.map((u) => this.task(doc, inForce, u.id, dueAt)),
          m,
        );
      });
    }
    return created;
  }

  /** In the retirement's transaction: the document's pending tasks are cancelled (kept as records). How many. */
  async cancelOnRetirement(doc: Document, now: Date, m: EntityManager): Promise<number> {
    return this.repo.cancelPending(doc.id, now, m);
  }

  private task(doc: Document, v: DocumentVersion, userId: string, dueAt: Date): Partial<DocumentAcknowledgement> {
    return {
      documentId: doc.id,
      versionId: v.id,
      versionNumber: v.number,
      versionSha256: v.sha256,
      userId,
      dueAt,
      status: 'pending',
    };
  }

  /** My current tasks (a task for a version a later material change replaced is left out), paged. */
  async mine(
    actor: UserActor,
    query: MyAcknowledgementsQueryDto,
    now = new Date(),
  ): Promise<Page<AcknowledgementView>> {
    const page = pageOf(query);
    if (!query.status) {
      const { rows, total } = await this.repo.currentOfUser(actor.id, page);
      return { items: rows.map((r) => acknowledgementView(r, now)), total, ...page };
    }
    // A state is derived from the clock: filtered here (a person holds one current task per document).
    const all = (await this.repo.currentOfUser(actor.id, { limit: 10_000, offset: 0 })).rows
      .map((r) => acknowledgementView(r, now))
      .filter((v) => v.status === query.status);
    return { items: all.slice(page.offset, page.offset + page.limit), total: all.length, ...page };
  }

  /**
   * The roster of a document: everyone now in its audience with the state of their current task. Compliance
   * managers and admins, the owner department, and auditors within their engagement; 404 for a document the
   * caller may not read, 403 for a reader who may not see its roster.
   */
  async roster(actor: UserActor, key: string, query: RosterQueryDto, now = new Date()): Promise<RosterView> {
    const ability = abilityFor(actor);
    const doc = await this.records.readable(ability, key);
    const rosterSubject = {
      ownerDepartment: doc.ownerDepartment,
      firstPublishedAt: doc.firstPublishedAt,
      userId: null,
    };
    if (!ability.can('read', asSubject('DocumentAcknowledgement', rosterSubject)))
      throw new ForbiddenError(
        'The roster is for compliance, the owner department and auditors.',
        'document.roster_not_yours',
      );
    const { basis, people } = await this.rosterOf(doc, now);
    // The e-mail only where the caller may read it (field rules on users): an auditor sees names and departments.
    const entries = people.map(({ user: u, entry: e }) => {
      const user = asSubject('User', { id: u.id, departmentId: u.departmentId, active: true });
      return ability.can('read', user, 'email') ? e : { ...e, email: null };
    });
    const counts = { acknowledged: 0, pending: 0, overdue: 0 };
    for (const e of entries) counts[e.status]++;
    const items = entries.filter(
      (e) => (!query.status || e.status === query.status) && (!query.department || e.department === query.department),
    );
    return { documentKey: doc.key, publishedVersion: doc.publishedVersion, basisVersion: basis, counts, items };
  }

  /**
   * The roster of a document at `now`, unchecked (the caller decides who reads it: the roster route, the
   * `policy-status` collector): everyone now in the audience (active users) with their current task; nobody
   * while no material version was ever published. The basis is the newest material version.
   */
  async rosterOf(
    doc: Document,
    now: Date,
  ): Promise<{ basis: number | null; people: { user: ActiveUser; entry: RosterEntryView }[] }> {
    const basis = acknowledgementBasis(await this.documents.versionsOf(doc.id));
    if (basis === null) return { basis, people: [] };
    const tasks = new Map<string, AcknowledgementRow>();
    for (const t of await this.repo.currentOfDocument(doc.id)) if (!tasks.has(t.userId)) tasks.set(t.userId, t);
    const audience = audienceOf(doc);
    // Everyone now in the audience (active users). A retired document asks nobody any more (its pending tasks
    // were cancelled): those who held a task for it.
    const people = (await this.users.activeUsers()).filter((u) =>
      doc.retiredAt ? tasks.has(u.id) : inAudience({ ...u, active: true }, audience),
    );
    return { basis, people: people.map((u) => ({ user: u, entry: rosterEntry(u, tasks.get(u.id) ?? null, now) })) };
  }

  /** The roster as a CSV file. */
  async rosterCsv(
    actor: UserActor,
    key: string,
    query: RosterQueryDto,
    now = new Date(),
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const r = await this.roster(actor, key, query, now);
    const body = rosterCsv(
      r.items.map((e) => ({
        name: e.name,
        email: e.email,
        department: e.department,
        role: e.role,
        status: e.status,
        version: e.versionNumber,
        sha256: e.versionSha256,
        dueAt: e.dueAt ? new Date(e.dueAt) : null,
        acknowledgedAt: e.acknowledgedAt ? new Date(e.acknowledgedAt) : null,
      })),
    );
    return { filename: `${r.documentKey}-acknowledgements.csv`, contentType: 'text/csv; charset=utf-8', body };
  }

  /**
   * Acknowledges one's own task: records when, for the version's hash, in the audit trail. Idempotent (an
   * acknowledged task answers as it is). 404 for a task that is not the caller's; 409 when a later material
   * version replaced it (the new version is what to acknowledge).
   */
  async acknowledge(actor: UserActor, id: string, now = new Date()): Promise<AcknowledgementView> {
    const ability = abilityFor(actor);
    await this.ds.transaction(async (m) => {
      const t = await this.repo.lockById(id, m);
      // Only the person's own: anyone else's task is not theirs to know of (404), whatever their role.
      if (!t || t.userId !== actor.id || !ability.can('update', asSubject('DocumentAcknowledgement', t)))
        throw new NotFoundError('document_acknowledgement', id);
      if (t.status === 'acknowledged') return;
      const versions = await this.documents.versionsOf(t.documentId, m);
      const newer = versions.find((v) => v.material && v.publishedAt && v.number > t.versionNumber);
      const doc = (await this.documents.findById(t.documentId, m))!;
      if (t.status === 'cancelled')
        throw new ConflictError(
          'document.acknowledgement_cancelled',
          `${doc.key} was retired: there is nothing to acknowledge any more.`,
        );
      if (newer)
        throw new ConflictError(
          'document.acknowledgement_superseded',
          `${doc.key} v${t.versionNumber} was replaced by v${newer.number} (a material change): acknowledge that one.`,
        );
      await this.repo.markAcknowledged(t.id, now, m);
      await this.records.audit(m, actor, 'document.acknowledge', doc, {
        acknowledgement: t.id,
        version: t.versionNumber,
        sha256: t.versionSha256,
        acknowledgedAt: now.toISOString(),
      });
    });
    const row = (await this.repo.findWithDocument(id))!;
    return acknowledgementView(row, now);
  }

  /** The scheduled job's one call: ask those who joined an audience, then remind and escalate. Idempotent. */
  async askAndRemind(
    now = new Date(),
  ): Promise<{ asked: number; reminders: number; overdue: number; escalations: number }> {
    const asked = await this.topUp(now);
    return { asked, ...(await this.remindAndEscalate(now)) };
  }

  /**
   * Reminders and escalations due at `now`, each once (dedupe key: task, kind, due time): a reminder to the
   * person from three days before the due time; once overdue, a notice to the person and one escalation per
   * document and due time to each compliance manager, naming who is late. Counts those created.
   */
  async remindAndEscalate(now = new Date()): Promise<{ reminders: number; overdue: number; escalations: number }> {
    const sent = { reminders: 0, overdue: 0, escalations: 0 };
    const active = new Map((await this.users.activeUsers()).map((u) => [u.id, u]));
    const late = new Map<string, AcknowledgementRow[]>();
    for (const t of await this.repo.pendingCurrent()) {
      // Someone deactivated, or no longer in the audience (a role or department change), is not chased.
      const person = active.get(t.userId);
      if (!person || !inAudience({ ...person, active: true }, t.audience)) continue;
      const due = formatLocalTime(t.dueAt);
      const what = `${t.documentKey} v${t.versionNumber} "${oneLine(t.documentTitle)}"`;
      const link = `/documents/${encodeURIComponent(t.documentKey)}`;
      if (reminderDue(t, now)) {
        const ok = await this.notifications.enqueue({
          recipientUserId: t.userId,
          kind: 'document.acknowledgement_reminder',
          dedupeKey: `document-ack:${t.id}:remind:${t.dueAt.toISOString()}`,
          subject: `Please read and acknowledge ${what} by ${due}`.slice(0, 200),
          body: `${what} applies to you. Read it and acknowledge it by ${due}.`,
          link,
        });
        if (ok) sent.reminders++;
      } else if (acknowledgementState(t, now) === 'overdue') {
        const ok = await this.notifications.enqueue({
          recipientUserId: t.userId,
          kind: 'document.acknowledgement_overdue',
          dedupeKey: `document-ack:${t.id}:overdue:${t.dueAt.toISOString()}`,
          subject: `Overdue: acknowledge ${what} (was due ${due})`.slice(0, 200),
          body: `${what} applies to you and was to be acknowledged by ${due}. Please read and acknowledge it now.`,
          link,
        });
        if (ok) sent.overdue++;
        const k = `${t.documentId}|${t.dueAt.toISOString()}`;
        late.set(k, [...(late.get(k) ?? []), t]);
      }
    }
    if (late.size === 0) return sent;
    const managers = await this.users.activeUserIds({ role: 'compliance_manager' });
    for (const tasks of late.values()) {
      const t = tasks[0]!;
      const due = formatLocalTime(t.dueAt);
      const names = tasks.map((x) => active.get(x.userId)!.name).sort();
      for (const managerId of managers) {
        const ok = await this.notifications.enqueue({
          recipientUserId: managerId,
          kind: 'document.acknowledgement_escalation',
          dedupeKey: `document-ack:${t.documentId}:escalate:${t.dueAt.toISOString()}:${managerId}`,
          subject: `Overdue acknowledgements: ${t.documentKey} (${tasks.length} due ${due})`.slice(0, 200),
          body:
            `${tasks.length} ${tasks.length === 1 ? 'person has' : 'people have'} not acknowledged ` +
            `${t.documentKey} "${oneLine(t.documentTitle)}", due ${due}: ${names.join(', ')}.`,
          link: `/documents/${encodeURIComponent(t.documentKey)}`,
        });
        if (ok) sent.escalations++;
      }
    }
    return sent;
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function acknowledgementView(r: AcknowledgementRow, now: Date): AcknowledgementView {
  return {
    id: r.id,
    documentKey: r.documentKey,
    documentTitle: r.documentTitle,
    versionNumber: r.versionNumber,
    versionSha256: r.versionSha256,
    status: acknowledgementState(r, now),
    dueAt: r.dueAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
  };
}

function rosterEntry(u: ActiveUser, t: AcknowledgementRow | null, now: Date): RosterEntryView {
  return {
    userId: u.id,
    name: u.name,
    email: u.email,
    department: u.departmentKey,
    role: u.role,
    status: t ? acknowledgementState(t, now) : 'pending',
    acknowledgementId: t?.id ?? null,
    versionNumber: t?.versionNumber ?? null,
    versionSha256: t?.versionSha256 ?? null,
    dueAt: t?.dueAt.toISOString() ?? null,
    acknowledgedAt: t?.acknowledgedAt?.toISOString() ?? null,
  };
}
