import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { actorRef, type UserActor } from '../authz/actor';
import { FieldProblem, ValidationError } from '../common/errors/app-error';
import { dayOf } from '../common/time/days';
import { checkPeriod } from './domain/evidence-dates';
import { nestsDeeperThan, SOURCE_PATTERN, sourceFor, type EvidenceKind } from './domain/evidence-model';
import { CreateEvidenceDto, EvidenceView } from './dto/evidence.dto';
import { EvidenceItems } from './evidence-items';
import { EvidenceWriter, MAX_SNAPSHOT_DEPTH } from './evidence-writer';

/**
 * The evidence locker: immutable items (files, links, attestations, snapshots) linked to controls, with
 * content-addressed blobs. Every creation is one audit-trail entry in the same transaction; every
 * download is recorded too. This service creates items from JSON and records what collectors, sweeps and
 * drills produce; uploads, queries and the packs' blob helpers have their own services.
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly writer: EvidenceWriter,
    private readonly items: EvidenceItems,
  ) {}

  /** A link, an attestation or a snapshot, from JSON. */
  async create(actor: UserActor, dto: CreateEvidenceDto): Promise<EvidenceView> {
    const misplaced: FieldProblem[] = [];
    const only = (field: 'url' | 'statement' | 'checklist' | 'data', kind: EvidenceKind) => {
      if (dto[field] !== undefined && dto.kind !== kind) misplaced.push({ field, message: `is only for kind ${kind}` });
    };
    only('url', 'link');
    only('statement', 'attestation');
    only('checklist', 'attestation');
    only('data', 'snapshot');
    if (dto.kind === 'snapshot' && dto.data && nestsDeeperThan(dto.data, MAX_SNAPSHOT_DEPTH))
      misplaced.push({ field: 'data', message: `nests deeper than ${MAX_SNAPSHOT_DEPTH} levels` });
    if (misplaced.length) throw new ValidationError(misplaced);

    const checked = await this.writer.prepare(actor, dto);
    const common = {
      description: dto.description ?? null,
      source: sourceFor(dto.kind, actor.via),
      actor: actorRef(actor),
      ...checked,
      periodStart: dto.periodStart,
      periodEnd: dto.periodEnd,
    };
    let id: string;
    switch (dto.kind) {
      case 'link':
        id = await this.writer.commit({ ...common, kind: 'link', title: dto.title!, url: dto.url!, files: [] });
        break;
      case 'snapshot':
        id = await this.writer.commit({
          ...common,
          kind: 'snapshot',
          title: dto.title!,
          files: [this.writer.jsonFile(dto.data as JsonObject, `snapshot-${dayOf(checked.evidenceDate)}.json`)],
        });
        break;
      case 'attestation':
        id = await this.writer.commit(
          this.writer.attestationItem(actor, {
            ...common,
            statement: dto.statement!,
            checklist: dto.checklist ?? null,
            title: dto.title,
          }),
        );
        break;
    }
    return this.items.get(actor, id);
  }

  /**
   * Automated collector output, stored as canonical JSON (RFC 8785, application/json), kind `snapshot`.
   * In the caller's transaction when `manager` is given. The controls must exist and not be retired.
   */
  async recordSnapshot(
    input: {
      actor: string;
      title: string;
      controlIds: string[];
      data: JsonObject;
      source: string;
      evidenceDate: Date;
      periodStart: string;
      periodEnd: string;
      /** Generated files stored next to the JSON (e.g. a PDF rendering of it). */
      attachments?: { filename: string; mediaType: string; bytes: Buffer }[];
    },
    manager?: EntityManager,
  ): Promise<{ id: string; sha256: string }> {
    const problems: FieldProblem[] = [...checkPeriod(input.periodStart, input.periodEnd)];
    if (!SOURCE_PATTERN.test(input.source))
      problems.push({ field: 'source', message: 'must be upload, api, attestation or collector:<name>' });
    if (input.title.trim() === '' || input.title.length > 200)
      problems.push({ field: 'title', message: 'must be 1 to 200 characters' });
    if (Number.isNaN(input.evidenceDate.getTime())) problems.push({ field: 'evidenceDate', message: 'is not a date' });
    if (nestsDeeperThan(input.data, MAX_SNAPSHOT_DEPTH))
      problems.push({ field: 'data', message: `nests deeper than ${MAX_SNAPSHOT_DEPTH} levels` });
    const controls = await this.writer.liveControlsById(input.controlIds, problems);
    if (problems.length) throw new ValidationError(problems);
    const file = this.writer.jsonFile(
      input.data,
      `${input.source.replace(':', '-')}-${dayOf(input.evidenceDate)}.json`,
    );
    const id = await this.writer.commit(
      {
        kind: 'snapshot',
        title: input.title.trim(),
        description: null,
        source: input.source,
        actor: input.actor,
        evidenceDate: input.evidenceDate,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        supersedes: null,
        controls,
        files: [
          file,
          ...(input.attachments ?? []).map((a) => ({
            filename: a.filename,
            mediaType: a.mediaType,
            sha256: createHash('sha256').update(a.bytes).digest('hex'),
            size: a.bytes.length,
            from: { bytes: a.bytes },
          })),
        ],
      },
      manager,
    );
    return { id, sha256: file.sha256 };
  }

  /** An owner's attestation ("no change this week"), kind `attestation`, only for controls they own. */
  async recordAttestation(
    input: {
      actor: UserActor;
      controlIds: string[];
      statement: string;
      checklist?: { question: string; answer: boolean }[];
      periodStart: string;
      periodEnd: string;
    },
    manager?: EntityManager,
  ): Promise<{ id: string }> {
    const problems: FieldProblem[] = [...checkPeriod(input.periodStart, input.periodEnd)];
    const statement = input.statement.trim();
    if (statement === '' || statement.length > 2000)
      problems.push({ field: 'statement', message: 'must be 1 to 2000 characters' });
    const controls = await this.writer.liveControlsById(input.controlIds, problems);
    if (problems.length) throw new ValidationError(problems);
    this.writer.assertMayAttach(input.actor, controls);
    const item = this.writer.attestationItem(input.actor, {
      description: null,
      source: 'attestation',
      actor: actorRef(input.actor),
      evidenceDate: new Date(),
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      supersedes: null,
      controls,
      statement,
      checklist: input.checklist?.length ? input.checklist : null,
    });
    return { id: await this.writer.commit(item, manager) };
  }
}
