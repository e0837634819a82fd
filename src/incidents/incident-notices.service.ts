import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { ForbiddenError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { complianceTimeZone } from '../common/time/zone';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { BreachNoticeDraft } from './domain/breach';
import { factProblems, incidentClocks, lateWithoutReason } from './domain/incident-clocks';
import { incidentRef, noticeAuthority, type NoticeKind } from './domain/incident-model';
import { BreachAssessmentDto, NoticeDto } from './dto/incident.dto';
import { IncidentLedger } from './incident-ledger';
import { IncidentPolicyService } from './incident-policy.service';
import { IncidentBreachAssessment, IncidentNotice } from './incident-records.entity';
import { factsOf, type IncidentDetail } from './incident-views';
import type { Incident } from './incident.entity';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';
import { formatLocalTime } from '../common/time/calendar';

const NOTICE_LABEL: Record<NoticeKind, string> = {
  pdpc_office: 'Breach notified to the PDPC Office',
  data_subjects: 'Data subjects told',
  fda_initial: 'Adverse event reported to the Thai FDA',
  fda_follow_up: 'Adverse event follow-up report to the Thai FDA',
  fsca_report: 'FSCA report to the Thai FDA',
};

/**
 * The legal side of an incident: the personal-data breach assessment (the privacy officer's), the
 * notices to the PDPC Office and to data subjects, the Thai FDA reports (the clinical owners'), and the
 * draft of a notice to the Office filled from the record.
 */
@Injectable()
export class IncidentNoticesService {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly ledger: IncidentLedger,
    private readonly policies: IncidentPolicyService,
    private readonly incidents: IncidentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async assessBreach(actor: UserActor, id: string, dto: BreachAssessmentDto): Promise<IncidentDetail> {
    const ability = abilityFor(actor);
    const now = new Date();
    const decidedAt = dto.decidedAt ? new Date(dto.decidedAt) : now;
    if (decidedAt > now)
      throw new ValidationError([{ field: 'decidedAt', message: 'decidedAt must not be in the future' }]);
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(ability, id, m, {
        allowed: (row) => ability.can('create', asSubject('BreachAssessment', row)),
      });
      if (!i.personalData)
        throw new RuleViolationError(
          'incident.no_breach',
          `${incidentRef(i.number)} is not a personal-data breach: add the category personal_data_breach first.`,
        );
      if (decidedAt < i.awareAt)
        throw new ValidationError([{ field: 'decidedAt', message: 'decidedAt must not be before awareAt' }]);
      const { decidedAt: _d, decision, ...facts } = { ...dto, decidedAt };
      await m.insert(IncidentBreachAssessment, {
        incidentId: i.id,
        decision,
        decidedAt,
        facts: {
          ...facts,
          subjectsApprox: dto.subjectsApprox ?? null,
          recordsApprox: dto.recordsApprox ?? null,
          measuresProposed: dto.measuresProposed ?? null,
          factors: Object.fromEntries(
            Object.entries(dto.factors).map(([k, v]) => [k, { level: v.level, note: v.note ?? null }]),
          ) as IncidentBreachAssessment['facts']['factors'],
        },
        actor: actorRef(actor),
      });
      const text = `Breach assessed: ${decision.replace('_', ' ')} (${dto.reasons.trim()})`;
      await this.ledger.note(m, { incidentId: i.id, kind: 'assessment', text, actor, at: decidedAt });
      await this.ledger.save(i, m);
      await this.ledger.record(
        m,
        actor,
        'incident.breach_assessed',
        i,
        toJsonObject({ decision, sensitive: dto.sensitive }),
      );
    });
    return this.incidents.get(actor, id);
  }

  /** Records a notice or report sent outside; a late one must say why (the PDPC expects the reason). */
  async recordNotice(actor: UserActor, id: string, dto: NoticeDto): Promise<IncidentDetail> {
    const ability = abilityFor(actor);
    const sentAt = new Date(dto.sentAt);
    const now = new Date();
    if (sentAt > now) throw new ValidationError([{ field: 'sentAt', message: 'sentAt must not be in the future' }]);
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(ability, id, m, { allowed: () => true });
      if (!ability.can('create', asSubject('IncidentNotice', { ...i, authority: noticeAuthority(dto.kind) })))
        throw new ForbiddenError(
          noticeAuthority(dto.kind) === 'pdpa'
            ? 'Notices under the PDPA are recorded by the privacy officer.'
            : 'Reports to the Thai FDA are recorded by the clinical owners.',
          'incident.not_yours',
        );
      this.checkApplies(i, dto.kind, await this.repo.recordsOf([i.id], m));
      await this.checkTimes(i, dto, sentAt, now, m);
      await m.insert(IncidentNotice, {
        incidentId: i.id,
        kind: dto.kind,
        sentAt,
        channel: dto.channel.trim(),
        reference: dto.reference?.trim() || null,
        recipientsCount: dto.recipientsCount ?? null,
        lateReason: dto.lateReason?.trim() || null,
        actor: actorRef(actor),
      });
      const text = `${NOTICE_LABEL[dto.kind]} via ${dto.channel.trim()}${dto.reference ? ` (ref. ${dto.reference})` : ''}`;
      await this.ledger.note(m, { incidentId: i.id, kind: 'notice', text, actor, at: sentAt });
      await this.ledger.save(i, m);
      await this.ledger.record(
        m,
        actor,
        'incident.notice_recorded',
        i,
        toJsonObject({ kind: dto.kind, sentAt: sentAt.toISOString() }),
      );
    });
    return this.incidents.get(actor, id);
  }

  /** A notice must fit the incident: PDPA ones a personal-data breach, Thai FDA ones an adverse event or FSCA. */
  private checkApplies(
    i: Incident,
    kind: NoticeKind,
    records: Awaited<ReturnType<IncidentsRepository['recordsOf']>>,
  ): void {
    const ref = incidentRef(i.number);
    const refuse = (why: string) => {
      throw new RuleViolationError('incident.not_applicable', `${ref}: ${why}`);
    };
    if (noticeAuthority(kind) === 'pdpa' && !i.personalData)
      refuse('not a personal-data breach (add the category first)');
    if ((kind === 'fda_initial' || kind === 'fda_follow_up') && !i.adverseEventCategory)
      refuse('no adverse-event category is set (clinical_safety incidents: set adverseEventCategory first)');
    if (kind === 'fda_follow_up' && !(records.notices.get(i.id) ?? []).some((n) => n.kind === 'fda_initial'))
      refuse('a follow-up report needs the initial report first');
    if (kind === 'fsca_report' && !i.fscaStartedAt)
      refuse('no field safety corrective action has started (set fscaStartedAt)');
  }

  /** Not before awareness (or the FSCA's start); late against its clock only with a reason. */
  private async checkTimes(i: Incident, dto: NoticeDto, sentAt: Date, now: Date, m: EntityManager): Promise<void> {
    const records = await this.repo.recordsOf([i.id], m);
    const draft = { kind: dto.kind, sentAt, lateReason: dto.lateReason?.trim() || null } as IncidentNotice;
    records.notices.set(
      i.id,
      [...(records.notices.get(i.id) ?? []), draft].sort((a, b) => +a.sentAt - +b.sentAt),
    );
    const facts = factsOf(i, records);
    const problems = factProblems(facts, now)
      .filter((p) => p.field !== 'awareAt')
      .map((p) => ({ field: 'sentAt', message: `sentAt ${p.message}` }));
    if (dto.kind === 'fsca_report' && i.fscaStartedAt && sentAt < i.fscaStartedAt)
      problems.push({ field: 'sentAt', message: 'sentAt must not be before the FSCA started' });
    if (problems.length) throw new ValidationError(problems.slice(0, 1));
    const clock = lateWithoutReason(incidentClocks(facts, this.policies.policy(), now), dto.kind, sentAt);
    if (clock)
      throw new ValidationError([
        {
          field: 'lateReason',
          message: `lateReason is required: this notice is late (due ${formatLocalTime(clock.dueAt!)}); say why`,
        },
      ]);
  }

  /** The draft notice to the PDPC Office, filled from the newest assessment. */
  async draft(actor: UserActor, id: string): Promise<BreachNoticeDraft> {
    const ability = abilityFor(actor);
    const i = await this.ledger.readable(ability, id);
    if (!ability.can('read', asSubject('BreachAssessment', i)))
      throw new ForbiddenError('The breach notice draft is for the privacy officer.', 'incident.not_yours');
    const records = await this.repo.recordsOf([i.id]);
    const assessment = (records.assessments.get(i.id) ?? []).at(-1);
    if (!assessment)
      throw new RuleViolationError('incident.no_assessment', `${incidentRef(i.number)} has no breach assessment yet.`);
    const [dpo] = await this.repo.userContact(assessment.actor);
    const office = (records.notices.get(i.id) ?? []).find((n) => n.kind === 'pdpc_office');
    const officeDueAt = new Date(
      i.awareAt.getTime() + this.policies.policy().regulatory.breachOffice.hours * 3_600_000,
    );
    return {
      incidentRef: incidentRef(i.number),
      title: i.title,
      description: i.description,
      controller: this.config.organisationName,
      contact: { name: dpo?.name ?? 'the privacy officer', email: dpo?.email ?? '', role: 'Data Protection Officer' },
      detectedAt: i.detectedAt,
      awareAt: i.awareAt,
      assessment: { ...assessment.facts, decision: assessment.decision, decidedAt: assessment.decidedAt },
      officeDueAt,
      lateReason: office?.lateReason ?? null,
      generatedAt: new Date(),
      zone: complianceTimeZone(),
    };
  }
}
