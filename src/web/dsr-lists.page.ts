// View models of the DSR list pages: the queue (with its filters), the data systems, the drills and the
// manual tasks. Pure functions of the services' pages and what the ability allows; the form key comes in.
import type { Page } from '../common/http/pagination';
import { DSR_RIGHTS, RIGHT_SECTION } from '../dsr/domain/dsr-clocks';
import { GROUND_LABEL, groundsFor } from '../dsr/domain/dsr-grounds';
import { DSR_STATUSES, FORM_CHANNELS } from '../dsr/domain/dsr-model';
import type { DsrActionView, DsrRequestView } from '../dsr/dto/dsr.dto';
import { actionRow, drillRow, queueRow, RIGHT_LABEL, systemView } from './dsr.page';
import { csvHref } from './list-csv';
import type { DsrPageQueryDto } from './dto/dsr-forms.dto';

/** "21–40 of 45" and the neighbouring pages' links, from a page and a link builder. */
function paging<T>(list: Page<T>, link: (offset: number) => string) {
  return {
    total: list.total,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.limit < list.total ? link(list.offset + list.limit) : null,
  };
}

function groundOptions(right: 'objection' | 'erasure') {
  return (groundsFor(right) ?? []).map((g) => ({ key: g, label: GROUND_LABEL[g] }));
}

/** The queue: requests with both clocks, filters kept in the paging links, and the new-request form. */
export function dsrQueuePage(input: {
  query: DsrPageQueryDto;
  list: Page<DsrRequestView>;
  /** Compliance managers read the register without identity: no subject column at all for them. */
  showIdentity: boolean;
  canCreate: boolean;
  formKey: string;
  /** A person of the demo patient platform, when it is registered: the new-request form names them. */
  demoSubject?: { name: string; nameTh: string; email: string; phone: string } | null;
}) {
  const { query, list } = input;
  const filter = {
    status: query.status,
    right: query.right,
    open: query.open ? '1' : undefined,
    overdue: query.overdue ? '1' : undefined,
    drills: query.drills ? '1' : undefined,
    q: query.q,
  };
  const link = (offset: number) =>
    `?${new URLSearchParams(Object.entries({ ...filter, offset: String(offset) }).filter((e): e is [string, string] => !!e[1])).toString()}`;
  return {
    pageTitle: 'Data subject requests',
    requests: list.items.map(queueRow),
    ...paging(list, link),
    showIdentity: input.showIdentity,
    canCreate: input.canCreate,
    demoSubject: input.demoSubject ?? null,
    csv: csvHref('/dsr/export.csv', filter),
    statuses: DSR_STATUSES.map((s) => ({ key: s, label: s.replace(/_/g, ' ') })),
    rights: DSR_RIGHTS.map((r) => ({ key: r, label: RIGHT_LABEL[r], section: RIGHT_SECTION[r] })),
    channels: FORM_CHANNELS.map((c) => ({ key: c, label: c.replace(/_/g, ' ') })),
    filter: {
      status: query.status ?? '',
      right: query.right ?? '',
      open: !!query.open,
      overdue: !!query.overdue,
      drills: !!query.drills,
      q: query.q ?? '',
    },
    grounds: { objection: groundOptions('objection'), erasure: groundOptions('erasure') },
    formKey: input.formKey,
  };
}

/** The data map: each system as configured, and the import form for those who may import. */
export function dsrSystemsPage(systems: Parameters<typeof systemView>[0][], canImport: boolean, formKey: string) {
  return { pageTitle: 'Data systems', systems: systems.map(systemView), canImport, formKey };
}

/** The drill history, newest first, and the "run a drill" form. */
export function dsrDrillsPage(list: Page<Parameters<typeof drillRow>[0]>, canRun: boolean, formKey: string) {
  return {
    pageTitle: 'DSR drills',
    drills: list.items.map(drillRow),
    csv: '/dsr/drills/export.csv',
    ...paging(list, (offset) => `?offset=${offset}`),
    canRun,
    formKey,
  };
}

/** Manual DSR tasks (open ones unless asked for all), each linked to its request for those who may open it. */
export function dsrTasksPage(input: {
  open: boolean;
  list: Page<DsrActionView & { requestId: string; reference: string }>;
  canOpenRequests: boolean;
  formKey: string;
}) {
  const { open, list } = input;
  const link = (offset: number) =>
    `?${new URLSearchParams({ ...(open ? {} : { open: 'false' }), offset: String(offset) }).toString()}`;
  return {
    pageTitle: 'DSR tasks',
    csv: csvHref('/dsr/tasks/export.csv', { open: open ? undefined : 'false' }),
    tasks: list.items.map((a) => ({
      ...actionRow(a),
      requestId: a.requestId,
      reference: a.reference,
      waiting: a.status === 'awaiting_manual',
      items: a.checklist?.length ?? 0,
    })),
    ...paging(list, link),
    openOnly: open,
    canOpenRequests: input.canOpenRequests,
    formKey: input.formKey,
  };
}
