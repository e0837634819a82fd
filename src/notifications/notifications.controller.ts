import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import { MarkedReadView, NotificationQueryDto, NotificationView, UnreadCountView } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Policy('read', 'Notification')
  @ApiOperation({ summary: 'My notifications, newest first, paged; unread=1 for unread only' })
  list(@CurrentActor() actor: UserActor, @Query() query: NotificationQueryDto): Promise<Page<NotificationView>> {
    return this.notifications.list(actor, query);
  }

  @Get('unread-count')
  @Policy('read', 'Notification')
  @ApiOkResponse({ type: UnreadCountView })
  async unreadCount(@CurrentActor() actor: UserActor): Promise<UnreadCountView> {
    return { unread: await this.notifications.unreadCount(actor) };
  }

  @Post('read-all')
  @Policy('update', 'Notification')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiOkResponse({ type: MarkedReadView })
  readAll(@CurrentActor() actor: UserActor): Promise<MarkedReadView> {
    return this.notifications.markAllRead(actor);
  }

  @Post(':id/read')
  @Policy('update', 'Notification')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read (404 for anyone else’s)' })
  @ApiOkResponse({ type: NotificationView })
  read(@CurrentActor() actor: UserActor, @Param('id', ParseUUIDPipe) id: string): Promise<NotificationView> {
    return this.notifications.markRead(actor, id);
  }
}
