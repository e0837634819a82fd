// Review cadence of controlled documents (issue 17), over HTTP as the demo personas: the owner's review task
// from 30 days before the review day and, once it has passed (23:59 ICT on the review day), an overdue
// notice to the owner and an escalation to compliance — each once, through the notification outbox, driven
// with a fixed clock; an overdue review on the posture (API and the sweeps page, for those who may read
// the document) and in the weekly sweep (the posture and policy-status snapshots); a new publication ends it.
import { addDays, addMonths, formatDate, formatLocalTime, localDate, parseDate } from '../../src/common/time/calendar';
import { reviewDueAt } from '../../src/documents/domain/document-review';
import { DocumentReviewsService } from '../../src/documents/document-reviews.service';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'admin' | 'compliance' | 'owner' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let cookies: Record<Who, string>;
let ids: Record<Who, string>;
let reviews: DocumentReviewsService;

const today = localDate(new Date());
const day = (d: ReturnType<typeof localDate>) => formatDate(d);
const OVERDUE = 'POL-REV-OVERDUE';
const SOON = 'POL-REV-SOON';
const LATER = 'POL-REV-LATER';
let soonReviewOn: string;

async function document(key: string, months: number, effectiveOn: string): Promise<{ nextReviewOn: string }> {
  const created = await as.compliance('POST', '/api/documents', {
    key,
    title: `${key} title`,
    type: 'policy',
    ownerDepartment: 'engineering',
    ownerUserId: ids.owner,
    audience: { everyone: false, roles: [], departments: ['engineering'] },
    controls: ['ACC-01'],
    reviewCadenceMonths: months,
  });
  expect(created.status).toBe(201);
  return publish(key, 1, effectiveOn, true);
}

async function publish(key: string, n: number, effectiveOn: string, material: boolean) {
  const base = `/api/documents/${key}`;
  const v = await as.compliance('POST', `${base}/versions`, {
    content: `# ${key}\n\nVersion ${n}.\n`,
    changeSummary: n === 1 ? 'First issue' : 'Reviewed: no change people must re-read',
    material,
  });
  expect(v.status).toBe(201);
  expect((await as.compliance('POST', `${base}/versions/${n}/submit`)).status).toBe(200);
  for (const who of ['compliance', 'owner'] as const)
    expect(
      (await as[who]('POST', `${base}/versions/${n}/sign`, { password: DEMO_PASSWORD, meaning: 'approved' })).status,
    ).toBe(200);
  expect((await as.compliance('POST', `${base}/versions/${n}/publish`, { effectiveOn })).status).toBe(200);
  const doc = await as.compliance('GET', base);
  return { nextReviewOn: doc.json.nextReviewOn as string };
}

const overdueIn = (posture: { framework: string; overdueReviews: { key: string }[] }[], framework: string) =>
  posture.find((p) => p.framework === framework)!.overdueReviews.map((r) => r.key);

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  reviews = t.app.get(DocumentReviewsService);
  as = {} as typeof as;
  cookies = {} as typeof cookies;
  ids = {} as typeof ids;
  for (const who of ['admin', 'compliance', 'owner', 'viewer'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
  // Effective two years ago with a yearly review: the review day was a year ago.
  const overdue = await document(OVERDUE, 12, day(addMonths(today, -24)));
  expect(overdue.nextReviewOn).toBe(day(addMonths(today, -12)));
  // Monthly, effective 20 days ago: the review day is 8 to 11 days ahead.
  soonReviewOn = (await document(SOON, 1, day(addDays(today, -20)))).nextReviewOn;
  expect(soonReviewOn).toBe(day(addMonths(addDays(today, -20), 1)));
  await document(LATER, 12, day(today));
}, 180_000);
afterAll(async () => t?.close());

describe('review tasks and overdue reviews: once each', () => {
  const kinds = async (who: Who, kind: string) =>
    ((await as[who]('GET', '/api/notifications?limit=200')).json.items as { kind: string; subject: string }[]).filter(
      (n) => n.kind === kind,
    );

  it('asks the owner to review what is due soon, tells them and escalates what is overdue; never twice', async () => {
    const now = new Date();
    const managers = (await as.admin('GET', '/api/users?limit=200')).json.items.filter(
      (u: { role: string; active: boolean }) => u.role === 'compliance_manager' && u.active,
    ).length;
    expect(await reviews.remind(now)).toEqual({ reviews: 1, overdue: 1, escalations: managers });
    expect(await reviews.remind(now)).toEqual({ reviews: 0, overdue: 0, escalations: 0 });
    const due = await kinds('owner', 'document.review_due');
    expect(due.map((n) => n.subject)).toEqual([
      `Review ${SOON} "${SOON} title" by ${formatLocalTime(reviewDueAt(soonReviewOn))}`,
    ]);
    const overdue = await kinds('owner', 'document.review_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.subject).toContain(OVERDUE);
    expect((await kinds('compliance', 'document.review_escalation')).map((n) => n.subject)).toEqual([
      `Overdue document review: ${OVERDUE} (due ${formatLocalTime(reviewDueAt(day(addMonths(today, -12))))})`,
    ]);
    expect(JSON.stringify(await kinds('owner', 'document.review_due'))).not.toContain(LATER);
  });

  it('turns overdue strictly after 23:59 ICT on the review day', async () => {
    // 23:59 ICT is 16:59 UTC on the same calendar day.
    const dueAt = new Date(`${soonReviewOn}T16:59:00.000Z`);
    expect(await reviews.remind(dueAt)).toEqual({ reviews: 0, overdue: 0, escalations: 0 });
    expect((await reviews.overdue(dueAt)).map((r) => r.key)).toEqual([OVERDUE]);
    const after = new Date(dueAt.getTime() + 1);
    expect((await reviews.overdue(after)).map((r) => r.key)).toEqual([OVERDUE, SOON]);
    expect(await reviews.remind(after)).toMatchObject({ reviews: 0, overdue: 1 });
    expect(await reviews.remind(after)).toEqual({ reviews: 0, overdue: 0, escalations: 0 });
    expect((await kinds('owner', 'document.review_overdue')).map((n) => n.subject).join('\n')).toContain(SOON);
  });
});

describe('an overdue review on the posture and in the weekly sweep', () => {
  it('shows under the frameworks of its controls, to those who may read the document', async () => {
    const posture = (await as.compliance('GET', '/api/posture')).json.items;
    expect(overdueIn(posture, 'soc2')).toEqual([OVERDUE]);
    expect(posture.find((p: { framework: string }) => p.framework === 'soc2').overdueReviews[0]).toEqual({
      key: OVERDUE,
      title: `${OVERDUE} title`,
      ownerDepartment: 'engineering',
      nextReviewOn: day(addMonths(today, -12)),
    });
    expect(overdueIn((await as.owner('GET', '/api/posture')).json.items, 'soc2')).toEqual([OVERDUE]);
    // The viewer is not in its audience: the document is not theirs to know of.
    for (const p of (await as.viewer('GET', '/api/posture')).json.items) expect(p.overdueReviews).toEqual([]);
  });

  it('is on the sweeps page', async () => {
    const res = await fetch(`${t.baseUrl}/sweeps`, { headers: { cookie: cookies.compliance } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Document reviews overdue');
    expect(html).toContain(
      `<a href="/documents/${OVERDUE}"><code>${OVERDUE}</code></a> due ${day(addMonths(today, -12))}`,
    );
    expect(html).not.toContain(`<code>${SOON}</code>`);
  });

  it('is in the weekly sweep: the posture snapshot lists it, the policy-status snapshot says overdue', async () => {
    expect((await as.compliance('POST', '/api/sweeps', { week: '2027-W03' })).status).toBe(200);
    const snapshot = async (control: string, source: string) => {
      const list = await as.compliance('GET', `/api/evidence?control=${control}&limit=100`);
      const item = (list.json.items as { id: string; source: string; periodStart: string }[]).find(
        (i) => i.source === source && i.periodStart === '2027-01-18',
      );
      expect(item).toBeDefined();
      const res = await fetch(`${t.baseUrl}/api/evidence/${item!.id}/download`, {
        headers: { cookie: cookies.compliance },
      });
      return JSON.parse(await res.text());
    };
    const posture = await snapshot('GOV-05', 'collector:posture');
    expect(overdueIn(posture.posture, 'soc2')).toEqual([OVERDUE]);
    const status = await snapshot('ACC-01', 'collector:policy-status');
    const states = Object.fromEntries(
      (status.documents as { key: string; reviewState: string }[]).map((d) => [d.key, d.reviewState]),
    );
    expect(states).toEqual({ [OVERDUE]: 'overdue', [SOON]: 'due_soon', [LATER]: 'scheduled' });
  });

  it('ends with a new publication, which sets the next review day', async () => {
    const { nextReviewOn } = await publish(OVERDUE, 2, day(today), false);
    expect(nextReviewOn).toBe(day(addMonths(today, 12)));
    for (const p of (await as.compliance('GET', '/api/posture')).json.items) expect(p.overdueReviews).toEqual([]);
    expect(await reviews.overdue()).toEqual([]);
    expect(parseDate(nextReviewOn)).toEqual(addMonths(today, 12));
  });
});
