import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { NotificationQueryDto } from '../notifications/dto/notification.dto';
import { NotificationsService } from '../notifications/notifications.service';
import { allRows, sendCsv } from './list-csv';
import { NOTIFICATION_CSV_COLUMNS, notificationsPage } from './notifications.page';

/** The notifications page: mine, newest first, with "mark read" buttons. */
@ApiExcludeController()
@Controller('notifications')
export class NotificationsPageController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Policy('read', 'Notification')
  @Render('notifications')
  async page(@CurrentActor() actor: UserActor, @Query() query: NotificationQueryDto) {
    return notificationsPage(query.unread, await this.notifications.list(actor, query));
  }

  /** Mine (with the page's read/unread filter), every page of them, as CSV. */
  @Get('export.csv')
  @Policy('read', 'Notification')
  async csv(@CurrentActor() actor: UserActor, @Query() query: NotificationQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.notifications.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'notifications', NOTIFICATION_CSV_COLUMNS, rows);
  }

  @Post('read-all')
  @Policy('update', 'Notification')
  async readAll(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply): Promise<void> {
    await this.notifications.markAllRead(actor);
    await reply.redirect('/notifications', 303);
  }

  @Post(':id/read')
  @Policy('update', 'Notification')
  async read(
    @CurrentActor() actor: UserActor,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.notifications.markRead(actor, id);
    await reply.redirect('/notifications', 303);
  }
}
