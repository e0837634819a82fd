import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { NotificationQueryDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

/** The notifications page: mine, newest first, with "mark read" buttons. */
@ApiExcludeController()
@Controller('notifications')
export class NotificationsPageController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Policy('read', 'Notification')
  @Render('notifications')
  async page(@CurrentActor() actor: UserActor, @Query() query: NotificationQueryDto) {
    const list = await this.notifications.list(actor, query);
    const link = (offset: number) =>
      `?${new URLSearchParams({ ...(query.unread ? { unread: '1' } : {}), offset: String(offset) }).toString()}`;
    return {
      pageTitle: 'Notifications',
      notifications: list.items,
      total: list.total,
      unreadOnly: query.unread === true,
      from: list.total === 0 ? 0 : list.offset + 1,
      to: list.offset + list.items.length,
      previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
      next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
    };
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
