// View model of the notifications page: one page of mine, newest first, with paging links that keep the
// read/unread filter. A pure function of the service's page (no Nest), tested beside it.
import type { Page } from '../common/http/pagination';
import type { NotificationView } from '../notifications/dto/notification.dto';
import { csvHref, csvTime, timeHeader, type CsvColumn } from './list-csv';

/** My notifications as CSV. */
export const NOTIFICATION_CSV_COLUMNS: CsvColumn<NotificationView>[] = [
  { header: timeHeader('Sent'), value: (n) => csvTime(n.createdAt) },
  { header: 'Kind', value: (n) => n.kind },
  { header: 'Subject', value: (n) => n.subject },
  { header: 'Text', value: (n) => n.body },
  { header: 'Link', value: (n) => n.link },
  { header: timeHeader('Read'), value: (n) => csvTime(n.readAt) },
  { header: 'E-mail', value: (n) => n.emailStatus.replace(/_/g, ' ') },
];

export function notificationsPage(unread: boolean | undefined, list: Page<NotificationView>) {
  // The filter is three-way (unread only, read only, all): paging keeps whichever was chosen.
  const filter: Record<string, string> = unread === undefined ? {} : { unread: unread ? '1' : '0' };
  const link = (offset: number) => `?${new URLSearchParams({ ...filter, offset: String(offset) }).toString()}`;
  return {
    pageTitle: 'Notifications',
    notifications: list.items,
    total: list.total,
    csv: csvHref('/notifications/export.csv', filter),
    unreadOnly: unread === true,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
  };
}
