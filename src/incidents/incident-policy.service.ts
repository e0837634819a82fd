import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { IncidentPolicy } from './domain/incident-policy';
import { loadIncidentPolicy } from './incident-policy-loader';
import { IncidentPolicyInvalidError } from './incidents.errors';

/** controls/incident-policy.yaml, loaded once (a change is a reviewed commit and a restart). */
@Injectable()
export class IncidentPolicyService {
  private loaded: IncidentPolicy | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

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
