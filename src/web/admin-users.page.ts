// View model of the user-admin page: one page of users with the filters kept in the paging links, and
// the one-time password of a user just created. A pure function of the service's page.
import { ROLES } from '../authz/actor';
import type { Page } from '../common/http/pagination';
import type { UserListQueryDto, UserView } from '../identity/dto/user.dto';
import type { FormState } from './incident-forms';
import { csvHref, csvTime, timeHeader, type CsvColumn } from './list-csv';

/** The roster as CSV (for access reviews): who, which role and department, active, last sign-in. */
export const USER_CSV_COLUMNS: CsvColumn<UserView>[] = [
  { header: 'Name', value: (u) => u.name },
  { header: 'E-mail', value: (u) => u.email },
  { header: 'Role', value: (u) => u.role },
  { header: 'Department', value: (u) => u.departmentKey },
  { header: 'Active', value: (u) => u.active },
  { header: timeHeader('Created'), value: (u) => csvTime(u.createdAt) },
  { header: timeHeader('Last sign-in'), value: (u) => csvTime(u.lastLoginAt) },
];

export function adminUsersPage(input: {
  query: UserListQueryDto;
  list: Page<UserView>;
  departments: unknown[];
  /** A user just created: their e-mail address and one-time password, shown this once. */
  created?: { email: string; oneTimePassword: string };
  /** The add-user form refused: what was typed and each field's problem. */
  form?: FormState<'user'> | null;
}) {
  const { query, list } = input;
  const link = (offset: number) =>
    `?${new URLSearchParams({
      ...(query.q ? { q: query.q } : {}),
      ...(query.role ? { role: query.role } : {}),
      offset: String(offset),
    }).toString()}`;
  return {
    pageTitle: 'Users',
    users: list.items,
    total: list.total,
    csv: csvHref('/admin/users/export.csv', { q: query.q, role: query.role }),
    roles: ROLES,
    departments: input.departments,
    filter: { q: query.q ?? '', role: query.role ?? '' },
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    created: input.created,
    add: addForm(input.form ?? null),
  };
}

/** The add-user form: empty, or as typed when refused (the role and department choices kept). */
function addForm(form: FormState<'user'> | null) {
  const values = (form?.values ?? {}) as Record<string, string | undefined>;
  return {
    values,
    errors: form?.errors ?? {},
    detail: form?.detail ?? null,
    roles: ROLES.map((role) => ({ role, selected: values.role === role })),
    department: values.department ?? '',
  };
}
