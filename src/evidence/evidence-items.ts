import { Injectable } from '@nestjs/common';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { CatalogService } from '../catalog/catalog.service';
import type { EvidenceView } from './dto/evidence.dto';
import type { EvidenceFile } from './evidence-file.entity';
import type { Evidence } from './evidence.entity';
import { EvidenceDetails, EvidenceRepository } from './evidence.repository';

/** Reading evidence items as a person may (and their views): shared by creating, uploading and querying. */
@Injectable()
export class EvidenceItems {
  constructor(
    private readonly repo: EvidenceRepository,
    private readonly catalog: CatalogService,
  ) {}

  /** An item as the actor may read it, else 404. */
  async readable(actor: UserActor, id: string): Promise<Evidence> {
    // Rules may scope by the controls an item serves (auditors), so the row is checked with them.
    return readableOr404(abilityFor(actor), 'Evidence', await this.repo.findById(id), {
      entity: 'evidence',
      id,
      checkAs: async (row) => ({ ...row, controlIds: await this.repo.controlIdsOf(row.id) }),
    });
  }

  async get(actor: UserActor, id: string): Promise<EvidenceView> {
    return (await this.views([await this.readable(actor, id)]))[0];
  }

  async views(rows: Evidence[]): Promise<EvidenceView[]> {
    const details: EvidenceDetails = await this.repo.details(rows.map((r) => r.id));
    const controlIds = [...new Set([...details.controlIds.values()].flat())];
    const keys = new Map((await this.catalog.controlsByIds(controlIds)).map((c) => [c.id, c.key]));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      description: r.description,
      source: r.source,
      submittedBy: r.submittedBy,
      collectedAt: r.collectedAt.toISOString(),
      evidenceDate: r.evidenceDate.toISOString(),
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      supersedes: r.supersedes,
      supersededBy: details.supersededBy.get(r.id) ?? null,
      controls: (details.controlIds.get(r.id) ?? []).map((id) => keys.get(id) ?? id).sort(),
      url: r.url,
      statement: r.statement,
      checklist: r.checklist,
      files: (details.files.get(r.id) ?? []).map((f: EvidenceFile) => ({
        n: f.n,
        filename: f.filename,
        size: f.size,
        mediaType: f.mediaType,
        sha256: f.sha256,
        download: `/api/evidence/${r.id}/download?file=${f.n}`,
      })),
    }));
  }
}
