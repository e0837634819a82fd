import { Injectable, Logger } from '@nestjs/common';
import type { ActorEngagement } from '../authz/actor';

/** Answers which engagements are active for an auditor now (implemented by the engagements module). */
export interface EngagementScopeSource {
  activeEngagementsOf(userId: string, now: Date): Promise<ActorEngagement[]>;
}

/**
 * The hook through which the actor gets its auditor engagements when it is built on each request.
 * Identity does not know the engagements module (which depends on identity, not the reverse): that
 * module registers its source here at start. With no source registered (the CLI, or a test app without
 * the module), auditors have no engagement: the rules fail closed.
 */
@Injectable()
export class ActorScopes {
  private readonly log = new Logger('Identity');
  private source: EngagementScopeSource | null = null;

  register(source: EngagementScopeSource): void {
    if (this.source && this.source !== source)
      this.log.warn('an engagement scope source was already registered; replacing it');
    this.source = source;
  }

  async engagementsOf(userId: string, now: Date): Promise<ActorEngagement[]> {
    return this.source ? this.source.activeEngagementsOf(userId, now) : [];
  }
}
