// The per-role dashboards on the home page (issue 19), in Chromium with the demo data: every number the page
// shows equals what the API answers the same person; the trend chart's table and CSV agree with each other and,
// for this week, with /api/posture. Screenshots of each dashboard go to docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { client, DEMO, login } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');

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

    // DSR clocks, risks above acceptable per register, engagements and requests, the audit trail.
    expect(await num(page, '#dash-dsr-open')).toBe((await api('GET', '/api/dsr/requests?open=true&limit=1')).json.total);
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

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-compliance-manager.png'), fullPage: true });
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
