import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { CatalogModule } from '../catalog/catalog.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { IdentityModule } from '../identity/identity.module';
import { EngagementsBootstrapService } from './engagements-bootstrap.service';
import { EngagementsController } from './engagements.controller';
import { EngagementsRepository } from './engagements.repository';
import { EngagementRequestsService } from './engagement-requests.service';
import { EngagementsService } from './engagements.service';

/**
 * Auditor engagements and their requests. Registers itself with identity (ActorScopes) so that an
 * auditor's actor carries the engagements active at each request; the rules live in the ability factory.
 */
@Module({
  imports: [AuditTrailModule, CatalogModule, IdentityModule, NotificationsModule],
  controllers: [EngagementsController],
  providers: [EngagementsService, EngagementRequestsService, EngagementsRepository, EngagementsBootstrapService],
  exports: [EngagementsService, EngagementRequestsService],
})
export class EngagementsModule {}
