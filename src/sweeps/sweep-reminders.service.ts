import { Inject, Injectable } from '@nestjs/common';
import { addDays, formatDate, formatLocalTime, localDate, parseDate } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { SweepTask } from './sweep-task.entity';
import { SweepsRepository } from './sweeps.repository';

type DigestKind = 'sweep.reminder' | 'sweep.due_today' | 'sweep.overdue' | 'sweep.escalation';

/** The notifications about open tasks: one digest per person and kind, listing the tasks. */
const DIGESTS: Record<
  DigestKind,
  { key: string; subject: (n: number, week: string) => string; intro: (week: string, due: string) => string }
> = {
  'sweep.reminder': {
    key: 'reminder-2d',
    subject: (n, w) => `Due in 2 days: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} are due ${due}:`,
  },
  'sweep.due_today': {
    key: 'due-today',
    subject: (n, w) => `Due today: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} are due today, ${due}:`,
  },
  'sweep.overdue': {
    key: 'overdue',
    subject: (n, w) => `Overdue: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} were due ${due} and are still open:`,
  },
  'sweep.escalation': {
    key: 'escalation',
    subject: (n, w) => `Overdue: ${n} sweep task(s) in ${w}`,
    intro: (w, due) =>
      `These tasks of the evidence sweep ${w} were due ${due} and are still open (control, owner, department):`,
  },
};
/** Notification bodies are at most 10,000 characters. */
const BODY_LIMIT = 9_000;

interface Digest {
  recipient: string;
  kind: DigestKind;
  week: string;
  dueAt: Date;
  tasks: (SweepTask & { week: string })[];
}

/** Reminders, overdue notices and escalations about the open tasks of sweeps. */
@Injectable()
export class SweepRemindersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Reminders two days before and on the due day, and, once a task is past its due time, an overdue
   * notice to its owners and an escalation to the compliance managers. Digests: each person gets one
   * notification per kind listing all their tasks in that state, not one per task. Each digest's dedupe
   * key names the sweep, its due time, the kind and the recipient, so running this again (another
   * instance, a restart, the next hour) sends nothing twice.
   */
  async remindAndEscalate(now = new Date()): Promise<{ reminders: number; escalations: number }> {
    return this.send(await this.digests(now));
  }

  /** The digests due now, by dedupe key. */
  private async digests(now: Date): Promise<Map<string, Digest>> {
    const tz = this.config.timeZone;
    const today = formatDate(localDate(now, tz));
    const managers = await this.users.activeUserIds({ role: 'compliance_manager' });
    const digests = new Map<string, Digest>();
    const add = (recipient: string, kind: DigestKind, task: SweepTask & { week: string }) => {
      const key = `sweep:${task.week}:${task.dueAt.toISOString()}:${DIGESTS[kind].key}:${recipient}`;
      const d = digests.get(key) ?? { recipient, kind, week: task.week, dueAt: task.dueAt, tasks: [] };
      d.tasks.push(task);
      digests.set(key, d);
    };
    const departmentMembers = new Map<string, string[]>();
    for (const task of await this.repo.openTasks()) {
      const dueDay = formatDate(localDate(task.dueAt, tz));
      const twoDaysBefore = formatDate(addDays(parseDate(dueDay), -2));
      const people = task.ownerUserId
        ? [task.ownerUserId]
        : (departmentMembers.get(task.ownerDepartment) ??
          departmentMembers
            .set(task.ownerDepartment, await this.users.activeUserIds({ departmentKey: task.ownerDepartment }))
            .get(task.ownerDepartment)!);
      if (now >= task.dueAt) {
        for (const p of people) add(p, 'sweep.overdue', task);
        for (const p of managers) add(p, 'sweep.escalation', task);
      } else if (today >= dueDay) {
        for (const p of people) add(p, 'sweep.due_today', task);
      } else if (today >= twoDaysBefore) {
        for (const p of people) add(p, 'sweep.reminder', task);
      }
    }
    return digests;
  }

  /** Sends each digest once (the dedupe key), counting reminders and escalations sent. */
  private async send(digests: Map<string, Digest>): Promise<{ reminders: number; escalations: number }> {
    const tz = this.config.timeZone;
    const owners = await this.users.namesByIds([
      ...new Set([...digests.values()].flatMap((d) => d.tasks.flatMap((t) => (t.ownerUserId ? [t.ownerUserId] : [])))),
    ]);
    let reminders = 0;
    let escalations = 0;
    for (const [dedupeKey, d] of digests) {
      const spec = DIGESTS[d.kind];
      const lines = d.tasks
        .sort((a, b) => a.ownerDepartment.localeCompare(b.ownerDepartment) || a.controlKey.localeCompare(b.controlKey))
        .map(
          (t) =>
            `- ${t.controlKey} ${t.controlTitle} — ${t.ownerUserId ? (owners.get(t.ownerUserId) ?? t.ownerUserId) : 'any member'} (${t.ownerDepartment})`,
        );
      const body = `${spec.intro(d.week, formatLocalTime(d.dueAt, tz))}\n\n${lines.join('\n')}`;
      const sent = await this.notifications.enqueue({
        recipientUserId: d.recipient,
        kind: d.kind,
        dedupeKey,
        subject: spec.subject(d.tasks.length, d.week),
        body: body.length > BODY_LIMIT ? `${body.slice(0, BODY_LIMIT - 40)}\n… and more: see the sweep pages.` : body,
        link: d.kind === 'sweep.escalation' ? '/sweeps' : '/sweep',
      });
      if (sent && d.kind === 'sweep.escalation') escalations++;
      else if (sent) reminders++;
    }
    return { reminders, escalations };
  }
}
