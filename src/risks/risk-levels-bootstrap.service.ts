import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RiskMatrixInvalidError } from './risks.errors';
import { RiskLevelsService } from './risk-levels.service';

/**
 * At start, recomputes stored risk levels from controls/risk-matrix.yaml as it is now, so a change of the
 * acceptability policy reaches every risk (with a version and an audit entry each), not only the ones edited
 * later. An invalid matrix does not stop the start: risk operations answer 422 until it is fixed.
 */
@Injectable()
export class RiskLevelsBootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('RiskLevels');

  constructor(private readonly risks: RiskLevelsService) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const r = await this.risks.reevaluateLevels();
      if (r.updated.length)
        this.log.log(
          `risk levels recomputed from the matrix: ${r.updated.length} of ${r.checked} changed (${r.updated.join(', ')})`,
        );
      if (r.offScale.length)
        this.log.warn(`risks with levels not on the matrix's scale, left as they are: ${r.offScale.join(', ')}`);
    } catch (e) {
      if (!(e instanceof RiskMatrixInvalidError)) throw e;
      this.log.warn('risk levels not re-evaluated: controls/risk-matrix.yaml is invalid');
    }
  }
}
