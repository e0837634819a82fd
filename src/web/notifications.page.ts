// View model of the notifications page: one page of mine, newest first, with paging links that keep the
// read/unread filter. A pure function of the service's page (no Nest), tested beside it.
import type { Page } from '../common/http/pagination';
import type { NotificationView } from '../notifications/dto/notification.dto';

export function notificationsPage(unread: boolean | undefined, list: Page<NotificationView>) {
  // The filter is three-way (unread only, read only, all): paging keeps whichever was chosen.
  const filter: Record<string, string> = unread === undefined ? {} : { unread: unread ? '1' : '0' };
  const link = (offset: number) => `?${new URLSearchParams({ ...filter, offset: String(offset) }).toString()}`;
  return {
    pageTitle: 'Notifications',
    notifications: list.items,
    total: list.total,
    unreadOnly: unread === true,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
  };
}
