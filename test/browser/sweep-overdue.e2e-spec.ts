// Overdue tasks and exceptions, seen in Chromium: a sweep whose due time has passed marks its open tasks
// "Overdue" in words (not by colour alone) on /sweep and /sweeps; an owner raises an exception through
// the page, and the control's page then shows it with who, when, the week and the reason — for staff on
// /controls/<key> and for an auditor on the engagement's control page — instead of "No evidence yet.".
// Screenshots of both pages go to ATTEST_SCREENSHOTS (a folder) when it is set.
import { join } from 'node:path';
import { actorRef, systemActor } from '../../src/authz/actor';
import { SweepLifecycleService } from '../../src/sweeps/sweep-lifecycle.service';
import { client, DEMO, login } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

describeInBrowser('overdue sweep tasks and exceptions in the browser', () => {
  const ctx = browserApp();
  const shots = process.env.ATTEST_SCREENSHOTS;
  const reason = 'Backup vendor changed this week; restore test moved to next Tuesday.';

  beforeAll(async () => {
    // Week 48 opened on time (Monday 23 November 09:00 ICT), due Friday 27 November 18:00 ICT: long past.
    await ctx.t.app
      .get(SweepLifecycleService)
      .openWeek('2026-W48', actorRef(systemActor('test')), new Date('2026-11-23T02:00:00Z'));
  });

  it('marks overdue tasks in words; an exception raised on the page shows on the control pages', async () => {
    const { t, browser } = ctx;
    const owner = await signInPage(browser, t.baseUrl, DEMO.owner, '/sweep');
    await owner.waitForURL(`${t.baseUrl}/sweep`);
    const overdue = owner.locator('article.task.overdue');
    expect(await overdue.count()).toBeGreaterThan(1);
    expect(await overdue.count()).toBe(await owner.locator('article.task').count());
    await expect(overdue.first().locator('.overdue-marker').textContent()).resolves.toBe('Overdue');
    expect(await overdue.first().locator('header').textContent()).toMatch(/was due 27 Nov 2026, 18:00 ICT/);
    expect(await owner.textContent('#overdue-count')).toBe(`${await overdue.count()} overdue`);
    if (shots) await owner.screenshot({ path: join(shots, 'sweep-overdue.png'), fullPage: true });

    const task = overdue.first();
    const key = (await task.getAttribute('data-control'))!;
    await task.locator('form.exception input[name=text]').fill(reason);
    await task.locator('form.exception button[type=submit]').click();
    await owner.waitForURL(`${t.baseUrl}/sweep?done=task.exception`);
    expect(await owner.textContent('#confirmation')).toMatch(/^Exception raised/);
    if (shots) await owner.screenshot({ path: join(shots, 'sweep-confirmation.png') });
    expect(await owner.textContent(`#done-tasks tr[data-control="${key}"] .status`)).toBe('exception');
    expect(await owner.textContent(`#done-tasks tr[data-control="${key}"]`)).toContain('late');

    await owner.goto(`${t.baseUrl}/controls/${key}`);
    const row = owner.locator('#outcomes tr[data-outcome="exception"]');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-week')).toBe('2026-W48');
    const text = (await row.textContent())!;
    expect(text).toContain('Exception');
    expect(text).toContain('Somchai Jaidee');
    expect(text).toContain(reason);
    expect(text).toContain('(late)');
    expect(await owner.locator('#no-evidence', { hasText: 'No evidence yet.' }).count()).toBe(0);
    if (shots) await owner.screenshot({ path: join(shots, 'control-exception.png'), fullPage: true });
    await owner.context().close();

    // The manager's dashboard counts them as overdue, in words.
    const manager = await signInPage(browser, t.baseUrl, DEMO.compliance, '/sweeps');
    await manager.waitForURL(`${t.baseUrl}/sweeps`);
    expect(await manager.textContent('#sweep-overdue')).toMatch(/^\d+ overdue$/);
    await manager.context().close();

    // The auditor, inside an engagement whose period holds the exception, sees it on their control page.
    const compliance = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
    const auditorId = (
      (await compliance('GET', '/api/users?role=auditor&limit=10')).json.items as { id: string; email: string }[]
    ).find((u) => u.email === DEMO.auditor)!.id;
    const engagement = await compliance('POST', '/api/engagements', {
      auditorUserId: auditorId,
      frameworks: ['soc2', 'pdpa', 'iso14971', 'samd'],
      from: '2026-11-01',
      to: '2026-12-31',
      expiresAt: '2027-06-30T00:00:00+07:00',
    });
    expect(engagement.status).toBe(201);
    const auditor = await signInPage(
      browser,
      t.baseUrl,
      DEMO.auditor,
      `/audit/engagements/${engagement.json.id}/controls/${key}`,
    );
    await auditor.waitForURL(`${t.baseUrl}/audit/engagements/${engagement.json.id}/controls/${key}`);
    const seen = auditor.locator('#outcomes tr[data-outcome="exception"]');
    expect(await seen.count()).toBe(1);
    expect(await seen.textContent()).toContain(reason);
    if (shots) await auditor.screenshot({ path: join(shots, 'audit-control-exception.png'), fullPage: true });
    await auditor.context().close();
  });
});
