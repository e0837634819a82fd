import { Controller, Get, Query, Render, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { endOfDay, isCalendarDate, startOfDay } from '../common/time/days';
import { UsersService } from '../identity/users.service';
import type { AuditLogEntryView } from '../audit-trail/dto/audit-log-entry.dto';
import type { Page } from '../common/http/pagination';
import { AuditTrailPage, auditTrailPage, entryRow, TRAIL_CSV_COLUMNS, type PersonMatch } from './audit-trail.page';
import { allRows, sendCsv } from './list-csv';
import { AuditTrailPageQueryDto } from './dto/audit-trail-page.dto';

/** An actor reference typed as is: `user:<id>`, `system:<name>`, `anonymous`. */
const ACTOR_REF = /^(user:[0-9a-f-]{36}|system:[\w.-]+|anonymous)$/i;

/**
 * The audit-trail page: entries with filters and paging, and the result of verifying the chain. People
 * are shown by name (one lookup per page); the person filter takes an e-mail address or a name and finds
 * the user's entries; days are days in the compliance zone, and times are shown in it.
 */
@ApiExcludeController()
@Controller('audit-trail')
export class AuditTrailPageController {
  constructor(
    private readonly trail: AuditTrailService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Policy('read', 'AuditLog')
  @Render('audit-trail')
  async page(@CurrentActor() actor: UserActor, @Query() query: AuditTrailPageQueryDto): Promise<AuditTrailPage> {
    const { filter, person, list: listed } = await this.filtered(actor, query);
    const [list, verify] = await Promise.all([
      listed({ limit: query.limit ?? 50, offset: query.offset ?? 0 }),
      this.trail.verify(),
    ]);
    return auditTrailPage(filter, list, verify, await this.names(list.items), person);
  }

  /** The filtered entries, every page of them, as CSV (people by name beside their references). */
  @Get('export.csv')
  @Policy('read', 'AuditLog')
  async csv(@CurrentActor() actor: UserActor, @Query() query: AuditTrailPageQueryDto, @Res() reply: FastifyReply) {
    const { list } = await this.filtered(actor, query);
    const entries = await allRows(list);
    const names = await this.names(entries);
    await sendCsv(
      reply,
      'audit-trail',
      TRAIL_CSV_COLUMNS,
      entries.map((e) => entryRow(e, names)),
    );
  }

  /** The page's filters read once: whom the person filter names, and a lister of the matching entries. */
  private async filtered(actor: UserActor, query: AuditTrailPageQueryDto) {
    // `actor=` (an older link) is a person filter too.
    const filter = { ...query, person: query.person ?? query.actor, actor: undefined };
    const person = await this.person(actor, filter.person);
    const range = {
      from: filter.from && isCalendarDate(filter.from) ? startOfDay(filter.from).toISOString() : filter.from,
      to:
        filter.to && isCalendarDate(filter.to) ? new Date(endOfDay(filter.to).getTime() - 1).toISOString() : filter.to,
    };
    const list = (page: { limit: number; offset: number }): Promise<Page<AuditLogEntryView>> =>
      person.kind === 'choose' || person.kind === 'nobody'
        ? Promise.resolve({ items: [], total: 0, ...page })
        : this.trail.list({ ...filter, ...range, ...page, actor: person.kind === 'actor' ? person.actor : undefined });
    return { filter, person, list };
  }

  /** Names of the users the entries name, as actors or as User subjects. */
  private names(entries: AuditLogEntryView[]): Promise<Map<string, string>> {
    return this.users.namesByIds(
      entries.flatMap((e) => [
        ...(e.actor.startsWith('user:') ? [e.actor.slice(5)] : []),
        ...(e.subjectType === 'User' && e.subjectId ? [e.subjectId] : []),
      ]),
    );
  }

  /** Whom the person filter names: an actor reference as typed, the user with that e-mail, or the one name match. */
  private async person(actor: UserActor, text: string | undefined): Promise<PersonMatch> {
    if (!text) return { kind: 'none' };
    if (ACTOR_REF.test(text)) {
      const id = text.toLowerCase().startsWith('user:') ? text.slice(5) : null;
      const name = id ? (await this.users.namesByIds([id])).get(id) : undefined;
      return { kind: 'actor', actor: id ? `user:${id.toLowerCase()}` : text, label: name ?? text };
    }
    const found = await this.users.list(actor, { q: text, limit: 20, offset: 0 });
    const exact = found.items.find((u) => u.email?.toLowerCase() === text.toLowerCase());
    const one = exact ?? (found.items.length === 1 ? found.items[0] : undefined);
    if (one)
      return { kind: 'actor', actor: `user:${one.id}`, label: one.email ? `${one.name} <${one.email}>` : one.name };
    if (found.items.length === 0) return { kind: 'nobody' };
    return { kind: 'choose', people: found.items.map((u) => ({ name: u.name, email: u.email ?? u.name })) };
  }
}
