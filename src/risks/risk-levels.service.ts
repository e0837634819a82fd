import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { systemActor, type Actor } from '../authz/actor';
import { mergeFields } from './domain/risk-merge';
import { fieldIssues } from './domain/risk-model';
import { RiskRecords } from './risk-records';
import { RisksRepository } from './risks.repository';

/** Keeps stored levels in step with the matrix as it is now. */
@Injectable()
export class RiskLevelsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RisksRepository,
    private readonly records: RiskRecords,
  ) {}

  /**
   * Recomputes every stored level from the matrix as it is now: levels are computed when a risk is written,
   * so after controls/risk-matrix.yaml changes (the stricter default of issue 12, or the company's own edit)
   * the stored ones can be stale. A risk whose level or residual level differs gets a new version and a
   * `risk.update` audit entry naming the changed fields, by `actor`; the others are untouched (idempotent).
   * A risk whose stored severity or probability is not on the scale any more is left as it is and listed.
   * Runs at start (RiskLevelsBootstrapService).
   */
  async reevaluateLevels(
    actor: Actor = systemActor('risk-matrix'),
  ): Promise<{ checked: number; updated: string[]; offScale: string[] }> {
    const matrix = this.records.matrix();
    const result = { checked: 0, updated: [] as string[], offScale: [] as string[] };
    await this.ds.transaction(async (m) => {
      for (const id of await this.repo.allIds(m)) {
        const locked = await this.repo.lockForUpdate(id, m);
        if (!locked) continue;
        result.checked++;
        const fields = mergeFields(locked, {});
        if (fieldIssues(matrix, fields).length) {
          result.offScale.push(`${locked.register}:${locked.ref}`);
          continue;
        }
        const current = { risk: locked, controls: (await this.records.controlsOf([id], m)).get(id) ?? [] };
        const { outcome } = await this.records.apply(actor, current, fields, undefined, m);
        if (outcome === 'updated') result.updated.push(`${locked.register}:${locked.ref}`);
      }
    });
    return result;
  }
}
