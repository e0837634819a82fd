// The per-role dashboards on the home page (issue 19), in Chromium with the demo data: every number the page
// shows equals what the API answers the same person; the trend chart's table and CSV agree with each other and,
// for this week, with /api/posture. Screenshots of each dashboard go to ATTEST_SCREENSHOTS
// when it is set (docs/screenshots/ holds the README's).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { client, DEMO, login } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

// Screenshots only when asked (a test run never rewrites tracked files): to refresh the README's,
// ATTEST_SCREENSHOTS=docs/screenshots npx jest test/browser/dashboards.e2e-spec.ts
const SCREENSHOTS = process.env.ATTEST_SCREENSHOTS;

const num = async (page: Page, selector: string) => Number((await page.textContent(selector))?.trim());

describeInBrowser('dashboards on the home page', () => {
  const ctx = browserApp();

  it("the compliance manager's dashboard shows the API's numbers, a trend chart with its table and CSV", async () => {
    const { t, browser } = ctx;
    const api = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
    const opened = await api('POST', '/api/sweeps', {});
    expect(opened.status).toBe(200);
    const week = opened.json.week as string;
    // One task with an exception, so that the sweep's numbers are not all zero.
    const tasks = await api('GET', `/api/sweeps/${week}/tasks?limit=1`);
    const excepted = await api('POST', `/api/sweep-tasks/${tasks.json.items[0].id}/complete`, {
      outcome: 'exception',
      reason: 'System replaced this week; evidence follows next sweep.',
    });
    expect(excepted.status).toBe(200);

    const page = await signInPage(browser, t.baseUrl, DEMO.compliance, '/');
    await page.waitForSelector('#manager-dashboard');

    // Posture per framework: /api/posture.
    const posture = (await api('GET', '/api/posture')).json.items as {
      framework: string;
      applicable: number;
      fresh: number;
    }[];
    expect(posture.length).toBeGreaterThan(0);
    expect(await page.locator('#dash-posture tbody tr').count()).toBe(posture.length);
    for (const p of posture) {
      const row = `#dash-posture tr[data-framework="${p.framework}"]`;
      expect(await num(page, `${row} .applicable`)).toBe(p.applicable);
      expect(Number((await page.textContent(`${row} .fresh`))!.split(' ')[0])).toBe(p.fresh);
      expect(await num(page, `${row} .not-fresh`)).toBe(p.applicable - p.fresh);
    }

    // The sweep: /api/sweeps/current, and the exceptions from its task list.
    const sweep = (await api('GET', '/api/sweeps/current')).json;
    expect(await num(page, '#dash-sweep-done')).toBe(sweep.done);
    expect(sweep.done).toBeGreaterThanOrEqual(1);
    expect(await num(page, '#dash-sweep-open')).toBe(sweep.tasks - sweep.done);
    expect(await num(page, '#dash-sweep-overdue')).toBe(sweep.overdue);
    const exceptions = await api('GET', `/api/sweeps/${week}/tasks?status=exception&limit=1`);
    expect(await num(page, '#dash-exceptions')).toBe(exceptions.json.total);
    expect(exceptions.json.total).toBe(1);
    // Per framework: 1 under each framework the excepted task's control is mapped to, else 0.
    const control = (await api('GET', `/api/controls/${tasks.json.items[0].controlKey}`)).json;
    const mappedTo = new Set(control.requirements.map((r: { framework: string }) => r.framework));
    expect(mappedTo.size).toBeGreaterThan(0);
    for (const p of posture)
      expect(await num(page, `#dash-posture tr[data-framework="${p.framework}"] .exceptions`)).toBe(
        mappedTo.has(p.framework) ? 1 : 0,
      );

    // DSR clocks, risks above acceptable per register, engagements and requests, the audit trail.
    expect(await num(page, '#dash-dsr-open')).toBe(
      (await api('GET', '/api/dsr/requests?open=true&limit=1')).json.total,
    );
    expect(await num(page, '#dash-dsr-overdue')).toBe(
      (await api('GET', '/api/dsr/requests?open=true&overdue=true&limit=1')).json.total,
    );
    for (const register of ['iso14971', 'security']) {
      const item = `#dash-attention li[data-register="${register}"]`;
      const alara = (await api('GET', `/api/risks?register=${register}&residualLevel=alara&limit=1`)).json.total;
      const unacceptable = (await api('GET', `/api/risks?register=${register}&residualLevel=unacceptable&limit=1`)).json
        .total;
      expect(await num(page, `${item} .alara`)).toBe(alara);
      expect(await num(page, `${item} .unacceptable`)).toBe(unacceptable);
      expect(await num(page, `${item} .above`)).toBe(alara + unacceptable);
    }
    expect(await num(page, '#dash-engagements')).toBe(
      (await api('GET', '/api/engagements?active=1&limit=1')).json.total,
    );
    expect(await num(page, '#dash-requests-open')).toBe(
      (await api('GET', '/api/engagement-requests?status=open&limit=1')).json.total,
    );
    const trail = (await api('GET', '/api/audit-trail/verify')).json;
    expect(trail.ok).toBe(true);
    expect(await page.getAttribute('#dash-trail', 'data-ok')).toBe('true');
    // The page read the trail before the calls above appended their reads; it cannot have more entries.
    expect(await num(page, '#dash-trail-entries')).toBeGreaterThan(0);
    expect(await num(page, '#dash-trail-entries')).toBeLessThanOrEqual(trail.entries);

    // The trend: 12 weeks, this one last; a line per framework named in the chart (no colour needed) …
    const rows = page.locator('#trend-table tbody tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.last().getAttribute('data-week')).toBe(week);
    for (const p of posture) {
      expect(await page.locator(`#dash-trend svg g[data-series="${p.framework}"] polyline`).count()).toBe(1);
      expect(await page.locator(`#dash-trend svg g[data-series="${p.framework}"] > text`).textContent()).toBe(
        p.framework,
      );
    }
    // … and this week's column equals /api/posture, in the table and in the CSV.
    const headers = await page.locator('#trend-table thead th').allTextContents();
    const lastCells = await rows.last().locator('td').allTextContents();
    for (const p of posture) {
      expect(lastCells[headers.indexOf(p.framework) - 1]).toMatch(new RegExp(`^${p.fresh} of ${p.applicable} `));
    }
    const csv = await page.request.get(`${t.baseUrl}${await page.getAttribute('#trend-csv', 'href')}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('Week,Framework,Applicable requirements,Fresh,Fresh %');
    expect(lines).toHaveLength(1 + 12 * posture.length);
    for (const p of posture) {
      expect(lines).toContain(
        `${week},${p.framework},${p.applicable},${p.fresh},${p.applicable ? Math.round((100 * p.fresh) / p.applicable) : 100}`,
      );
    }

    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    if (SCREENSHOTS)
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-compliance-manager.png'), fullPage: true });
    await page.close();
  });

  it("a control owner's dashboard lists their open tasks, evidence going stale and other work, as the API does", async () => {
    const { t, browser } = ctx;
    const api = client(t.baseUrl, await login(t.baseUrl, DEMO.owner));
    const week = (await api('GET', '/api/sweeps/current')).json.week as string;
    const me = (await api('GET', '/api/me')).json;
    const page = await signInPage(browser, t.baseUrl, DEMO.owner, '/');
    await page.waitForSelector('#owner-dashboard');

    // My open tasks of this week's sweep: /api/sweeps/:week/tasks?mine=1 (status open), each linking to the task.
    const mine = (await api('GET', `/api/sweeps/${week}/tasks?mine=1&status=open&limit=200`)).json;
    expect(mine.total).toBeGreaterThan(0);
    expect(await num(page, '#my-tasks-open')).toBe(mine.total);
    const rows = page.locator('#my-tasks tbody tr');
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).sort()).toEqual(
      mine.items.map((i: { id: string }) => i.id).sort(),
    );
    const overdue = mine.items.filter((i: { timing: string }) => i.timing === 'overdue').length;
    expect(await page.locator('#my-tasks tbody tr.overdue').count()).toBe(overdue);
    // Due times are shown in the compliance zone, named.
    expect(await rows.first().locator('td').nth(1).textContent()).toMatch(/ICT$/);

    // Evidence of my controls (assigned to me, or to my department when no person is), from /api/posture.
    const attention = new Map<string, string>();
    for (const f of (await api('GET', '/api/posture')).json.items)
      for (const a of f.attention)
        if (a.ownerUserId ? a.ownerUserId === me.id : a.ownerDepartment === me.departmentKey)
          attention.set(a.key, a.freshness);
    const dueSoon = [...attention.values()].filter((f) => f === 'due_soon').length;
    expect(await num(page, '#my-due-soon')).toBe(dueSoon);
    expect(await num(page, '#my-stale')).toBe(attention.size - dueSoon);
    expect(attention.size).toBeGreaterThan(0);

    // DSR tasks, documents to acknowledge, unread notifications.
    expect(await num(page, '#my-dsr-tasks')).toBe((await api('GET', '/api/dsr/tasks?open=true&limit=1')).json.total);
    const acks = (await api('GET', '/api/me/acknowledgements?limit=200')).json.items as { status: string }[];
    expect(await num(page, '#my-acknowledgements')).toBe(acks.filter((a) => a.status !== 'acknowledged').length);
    expect(await num(page, '#my-unread')).toBe((await api('GET', '/api/notifications/unread-count')).json.unread);

    // One click to act: the task's link lands on it in "my sweep", with its forms.
    const first = rows.first();
    const id = await first.getAttribute('data-task');
    await first.locator('a').first().click();
    await page.waitForURL(`${t.baseUrl}/sweep#task-${id}`);
    expect(await page.locator(`#task-${id} form.attest`).count()).toBe(1);

    await page.goto(`${t.baseUrl}/`);
    await page.setViewportSize({ width: 1280, height: 900 });
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-control-owner.png'), fullPage: true });
    await page.close();
  });

  it("the privacy officer's dashboard: the queue by time left, identity checks, last drill and volume per month", async () => {
    const { t, browser } = ctx;
    const api = client(t.baseUrl, await login(t.baseUrl, DEMO.privacy));
    for (const name of ['Dashboard Subject A', 'Dashboard Subject B']) {
      const created = await api('POST', '/api/dsr/requests', {
        right: 'access',
        channel: 'email',
        subject: { name, email: `${name.slice(-1).toLowerCase()}@patient.test` },
      });
      expect({ status: created.status, body: created.json }).toMatchObject({ status: 201 });
    }
    const drill = await api('POST', '/api/dsr/drills', {});
    expect([200, 201]).toContain(drill.status);

    const page = await signInPage(browser, t.baseUrl, DEMO.privacy, '/');
    await page.waitForSelector('#privacy-dashboard');
    const open = (await api('GET', '/api/dsr/requests?open=true&limit=200')).json;
    expect(open.total).toBeGreaterThanOrEqual(2);
    expect(await num(page, '#dsr-open')).toBe(open.total);
    // Every open request once, the sooner clock first.
    const refs = await page
      .locator('#dsr-queue tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-reference')));
    expect([...refs].sort()).toEqual(open.items.map((r: { reference: string }) => r.reference).sort());
    const soonest = (r: { clocks: { internal: { remainingMs: number }; statutory: { remainingMs: number } | null } }) =>
      Math.min(r.clocks.internal.remainingMs, r.clocks.statutory?.remainingMs ?? Infinity);
    const byRef = new Map(open.items.map((r: { reference: string }) => [r.reference, soonest(r as never)]));
    const lefts = refs.map((r) => byRef.get(r!) as number);
    expect(lefts).toEqual([...lefts].sort((a, b) => a - b));
    expect(await page.locator('#dsr-queue tbody tr').first().locator('.left').first().textContent()).toMatch(
      /^\d+ d \d+ h left$/,
    );

    expect(await num(page, '#dsr-identity-waiting')).toBe(
      (await api('GET', '/api/dsr/requests?status=received&limit=1')).json.total,
    );
    const erasures = open.items.filter(
      (r: { erasureScheduledFor: string | null; erasedAt: string | null }) => r.erasureScheduledFor && !r.erasedAt,
    );
    expect(await num(page, '#dsr-erasures')).toBe(erasures.length);
    const lastDrill = (await api('GET', '/api/dsr/drills?limit=1')).json.items[0];
    expect(await page.getAttribute('#dsr-last-drill', 'data-passed')).toBe(String(lastDrill.passed));

    // Volume per month: 12 months, this one last, counting the requests the API lists (drills not included).
    const all = (await api('GET', '/api/dsr/requests?limit=200')).json;
    const rows = page.locator('#volume-table tbody tr');
    expect(await rows.count()).toBe(12);
    expect(Number(await rows.last().locator('td').textContent())).toBe(all.total);
    const csv = await page.request.get(`${t.baseUrl}${await page.getAttribute('#volume-csv', 'href')}`);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('Month,Requests received');
    expect(lines[12]).toBe(`${await rows.last().getAttribute('data-month')},${all.total}`);
    expect(await page.locator('#dsr-volume svg polyline').count()).toBe(1);

    await page.setViewportSize({ width: 1280, height: 900 });
    if (SCREENSHOTS)
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-privacy-officer.png'), fullPage: true });
    await page.close();
  });

  it("the auditor's dashboard: engagements with days left, requests and answers, packs, as the API lists them", async () => {
    const { t, browser } = ctx;
    const api = client(t.baseUrl, await login(t.baseUrl, DEMO.auditor));
    const engagements = (await api('GET', '/api/engagements?active=1&limit=50')).json;
    expect(engagements.total).toBeGreaterThan(0);
    const e = engagements.items[0];
    const raised = await api('POST', `/api/engagements/${e.id}/requests`, {
      framework: e.frameworks[0],
      requirementRef: 'CC6.1',
      body: 'Please show the last access review.',
    });
    expect(raised.status).toBeLessThan(300);

    const page = await signInPage(browser, t.baseUrl, DEMO.auditor, '/');
    await page.waitForSelector('#auditor-dashboard');
    expect(await num(page, '#my-engagements-count')).toBe(engagements.total);
    const row = page.locator(`#my-engagements tr[data-engagement="${e.id}"]`);
    const days = Math.max(0, Math.ceil((new Date(e.expiresAt).getTime() - Date.now()) / 86_400_000));
    // Whole days left; the page was rendered a moment earlier, so one day more at a day boundary.
    expect([days, days + 1]).toContain(Number(await row.locator('.days-left').textContent()));
    expect(await row.locator('td').nth(1).textContent()).toBe(`${e.from} – ${e.to}`);
    // Evidence in scope: what the evidence API lets this auditor read, dated in the engagement's period.
    const inScope = (await api('GET', `/api/evidence?from=${e.from}&to=${e.to}&limit=1`)).json.total;
    expect(inScope).toBeGreaterThan(0); // the demo's evidence of this year's controls in scope
    expect(await row.locator('.evidence-count').textContent()).toBe(`${inScope} item(s) dated in the period`);

    const requests = (await api('GET', '/api/engagement-requests?limit=20')).json;
    expect(await num(page, '#my-requests-total')).toBe(requests.total);
    expect(await num(page, '#my-requests-open')).toBe(
      requests.items.filter((r: { status: string }) => r.status === 'open').length,
    );
    expect(await page.locator(`#my-requests li[data-request="${raised.json.id}"]`).textContent()).toContain('waiting');
    expect(await num(page, '#my-packs-total')).toBe((await api('GET', '/api/packs?limit=1')).json.total);

    await page.setViewportSize({ width: 1280, height: 900 });
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-auditor.png'), fullPage: true });
    await page.close();
  });

  it('the trend CSV is for those who may read posture; signed out it asks to sign in', async () => {
    const anonymous = await client(ctx.t.baseUrl, null)('GET', '/dashboard/posture-trend.csv');
    expect([302, 303, 401]).toContain(anonymous.status);
    // Someone who is not a compliance manager sees no compliance dashboard on the home page.
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.owner, '/');
    await page.waitForSelector('#signed-in');
    expect(await page.locator('#manager-dashboard').count()).toBe(0);
    await page.close();
  });
});
