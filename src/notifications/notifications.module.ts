import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { JobsModule } from '../jobs/jobs.module';
import { NotificationEmailJob } from './notification-email.job';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { SmtpMailer } from './smtp-mailer';

/**
 * The notification outbox: other modules raise notifications with NotificationsService.enqueue(); people
 * read them in the app (API and page); with SMTP_URL they are also e-mailed by a job every minute.
 */
@Module({
  imports: [IdentityModule, JobsModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository, SmtpMailer, NotificationEmailJob],
  exports: [NotificationsService],
})
export class NotificationsModule {}
