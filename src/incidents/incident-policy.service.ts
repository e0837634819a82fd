import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { IncidentPolicy } from './domain/incident-policy';
import { loadIncidentPolicy } from './incident-policy-loader';
import { IncidentPolicyInvalidError } from './incidents.errors';

/**
 * controls/incident-policy.yaml, loaded once (a change is a reviewed commit and a restart). An invalid file
 * does not stop the start (the rest of the product works; incident routes answer 422 until it is fixed),
 * but it is said at start, every problem as file:line, rather than first on someone's report.
 */
@Injectable()
export class IncidentPolicyService implements OnApplicationBootstrap {
  private readonly log = new Logger('IncidentPolicy');
  private loaded: IncidentPolicy | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    try {
      this.policy();
    } catch (e) {
      if (!(e instanceof IncidentPolicyInvalidError)) throw e;
      this.log.error(`${e.message}\nincident routes answer 422 until controls/incident-policy.yaml is fixed`);
    }
  }

  /** The policy; IncidentPolicyInvalidError (422, every problem with file:line) when the file is wrong. */
  policy(): IncidentPolicy {
    if (!this.loaded) {
      const { policy, problems } = loadIncidentPolicy(this.config.controlsDir);
      if (!policy) throw new IncidentPolicyInvalidError(problems);
      this.loaded = policy;
    }
    return this.loaded;
  }
}
