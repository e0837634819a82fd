import { Controller, Get, Query, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { endOfDay, isCalendarDate, startOfDay } from '../common/time/days';
import { UsersService } from '../identity/users.service';
import { AuditTrailPage, auditTrailPage, type PersonMatch } from './audit-trail.page';
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
    // `actor=` (an older link) is a person filter too.
    const filter = { ...query, person: query.person ?? query.actor, actor: undefined };
    const person = await this.person(actor, filter.person);
    const range = {
      from: filter.from && isCalendarDate(filter.from) ? startOfDay(filter.from).toISOString() : filter.from,
      to:
        filter.to && isCalendarDate(filter.to) ? new Date(endOfDay(filter.to).getTime() - 1).toISOString() : filter.to,
    };
    const [list, verify] = await Promise.all([
      person.kind === 'choose' || person.kind === 'nobody'
        ? Promise.resolve({ items: [], total: 0, limit: query.limit ?? 50, offset: 0 })
        : this.trail.list({ ...filter, ...range, actor: person.kind === 'actor' ? person.actor : undefined }),
      this.trail.verify(),
    ]);
    const userIds = list.items.flatMap((e) => [
      ...(e.actor.startsWith('user:') ? [e.actor.slice(5)] : []),
      ...(e.subjectType === 'User' && e.subjectId ? [e.subjectId] : []),
    ]);
    const names = await this.users.namesByIds(userIds);
    return auditTrailPage(filter, list, verify, names, person);
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
