import type { NotificationView } from '../notifications/dto/notification.dto';
import { notificationsPage } from './notifications.page';

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n-${i}` }) as NotificationView);

describe('notificationsPage', () => {
  it('counts the rows shown and links the neighbouring pages', () => {
    const page = notificationsPage(undefined, { items: items(20), total: 45, limit: 20, offset: 20 });
    expect([page.from, page.to, page.total, page.unreadOnly]).toEqual([21, 40, 45, false]);
    expect([page.previous, page.next]).toEqual(['?offset=0', '?offset=40']);
  });

  it('keeps "unread only" and "read only" in the paging links (a read-only list once lost its filter on page 2)', () => {
    expect(notificationsPage(true, { items: items(20), total: 45, limit: 20, offset: 0 }).next).toBe(
      '?unread=1&offset=20',
    );
    expect(notificationsPage(false, { items: items(20), total: 45, limit: 20, offset: 0 }).next).toBe(
      '?unread=0&offset=20',
    );
  });

  it('says 0 to 0 with no links when there is nothing', () => {
    const page = notificationsPage(true, { items: [], total: 0, limit: 20, offset: 0 });
    expect([page.from, page.to, page.previous, page.next, page.unreadOnly]).toEqual([0, 0, null, null, true]);
  });
});
