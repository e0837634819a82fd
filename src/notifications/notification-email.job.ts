import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { NotificationsService } from './notifications.service';
import { SmtpMailer } from './smtp-mailer';

/** Every minute, when SMTP_URL is set (and JOBS_ENABLED): sends the notification e-mails that are due. */
@Injectable()
export class NotificationEmailJob implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly mailer: SmtpMailer,
    private readonly notifications: NotificationsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.mailer.enabled) return;
    this.scheduler.schedule({
      name: 'notification-email',
      cron: '* * * * *',
      run: () => this.notifications.deliverPending(new Date()),
    });
  }
}
