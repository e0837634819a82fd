import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { ForbiddenError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { actorRef } from '../authz/actor';
import type { Actor, UserActor } from '../authz/actor';
import { CredentialsRepository } from './credentials.repository';
import { newApiToken, sha256Hex, tokenDisplayPrefix } from './domain/secrets';
import {
  ApiTokenListQueryDto,
  apiTokenView,
  ApiTokenView,
  CreateApiTokenDto,
  CreatedApiTokenView,
} from './dto/api-token.dto';

const DEFAULT_TOKEN_DAYS = 90;

@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly credentials: CredentialsRepository,
    private readonly trail: AuditTrailService,
  ) {}

  async list(actor: UserActor, query: ApiTokenListQueryDto): Promise<Page<ApiTokenView>> {
    const page = pageOf(query);
    const { rows, total } = await this.credentials.listApiTokensVisibleTo(abilityFor(actor), {
      ...page,
      includeRevoked: query.includeRevoked ?? false,
    });
    return { items: rows.map(apiTokenView), total, ...page };
  }

  /**
   * A token for `userId` (always the caller over the API: the body has no owner field); the secret is
   * returned this once. `actor` is the caller, or the system for `attest token create`.
   */
  async create(actor: Actor, userId: string, dto: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    // A token could otherwise mint a longer-lived one, and a leaked 30-day token would become a year's.
    if (actor.kind === 'user' && actor.via !== 'session')
      throw new ForbiddenError(
        'An API token cannot create API tokens: sign in with your password to create one.',
        'api_token.created_by_token',
      );
    const token = newApiToken();
    const expiresAt = new Date(Date.now() + (dto.expiresInDays ?? DEFAULT_TOKEN_DAYS) * 86_400_000);
    const row = await this.ds.transaction(async (m) => {
      const created = await this.credentials.insertApiToken(
        { userId, name: dto.name, tokenPrefix: tokenDisplayPrefix(token), tokenHash: sha256Hex(token), expiresAt },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'api_token.create',
          subjectType: 'ApiToken',
          subjectId: created.id,
          data: { userId, expiresAt: expiresAt.toISOString() },
        },
        m,
      );
      return created;
    });
    return { ...apiTokenView(row), token };
  }

  async revoke(actor: UserActor, id: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const ability = abilityFor(actor);
      const row = await readableOr404(ability, 'ApiToken', await this.credentials.findApiToken(id, m), {
        entity: 'api_token',
        id,
      });
      if (!ability.can('delete', asSubject('ApiToken', row)))
        throw new ForbiddenError('You may not revoke this token.', 'api_token.revoke_forbidden');
      if (row.revokedAt) return;
      await this.credentials.revokeApiToken(id, new Date(), m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'api_token.revoke',
          subjectType: 'ApiToken',
          subjectId: id,
          data: { userId: row.userId },
        },
        m,
      );
    });
  }
}
