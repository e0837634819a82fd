import type { UserView } from '../identity/dto/user.dto';
import { adminUsersPage } from './admin-users.page';

const users = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u-${i}` }) as UserView);

describe('adminUsersPage', () => {
  it('keeps the search and role filters in the paging links and counts the rows shown', () => {
    const page = adminUsersPage({
      query: { q: 'som', role: 'auditor' },
      list: { items: users(50), total: 120, limit: 50, offset: 50 },
      departments: [],
    });
    expect([page.from, page.to, page.total]).toEqual([51, 100, 120]);
    expect([page.previous, page.next]).toEqual(['?q=som&role=auditor&offset=0', '?q=som&role=auditor&offset=100']);
    expect(page.filter).toEqual({ q: 'som', role: 'auditor' });
  });

  it('shows a created user’s one-time password, and nothing of it otherwise', () => {
    const list = { items: users(1), total: 1, limit: 50, offset: 0 };
    const created = { email: 'new@demo.local', oneTimePassword: 'x-y-z' };
    expect(adminUsersPage({ query: {}, list, departments: [], created }).created).toEqual(created);
    const plain = adminUsersPage({ query: {}, list, departments: [] });
    expect([plain.created, plain.previous, plain.next]).toEqual([undefined, null, null]);
  });
});
