// The weekly sweep in Chromium: a control owner signs in, sees their tasks, uploads a file for one and
// attests another; the compliance manager's dashboard shows the progress.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { describeInBrowser, launchBrowser, signInPage } from '../support/browser';

describeInBrowser('weekly sweep in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  const files = mkdtempSync(join(tmpdir(), 'attest-browser-files-'));

  beforeAll(async () => {
    t = await startTestApp({ env: { DEMO: '1' } });
    browser = await launchBrowser();
    const opened = await client(t.baseUrl, await login(t.baseUrl, DEMO.compliance))('POST', '/api/sweeps', {});
    expect(opened.json.created).toBe(true);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(files, { recursive: true, force: true });
  });

  const signIn = (email: string, next: string): Promise<Page> => signInPage(browser, t.baseUrl, email, next);

  it('an owner uploads evidence for one task and attests another; the manager sees the progress', async () => {
    const owner = await signIn(DEMO.owner, '/sweep');
    const tasks = owner.locator('article.task');
    const before = await tasks.count();
    expect(before).toBeGreaterThanOrEqual(2);

    const first = tasks.nth(0);
    const uploadedKey = (await first.getAttribute('data-control'))!;
    const file = join(files, 'access-review.csv');
    writeFileSync(file, 'user,role,reviewed\nsomchai@example.com,engineer,yes\n');
    await first.locator('form.upload input[type=file]').setInputFiles(file);
    await first.locator('form.upload input[name=title]').fill('Access review, this week');
    await first.locator('form.upload button[type=submit]').click();
    await owner.waitForURL(`${t.baseUrl}/sweep?done=evidence.uploaded`);
    expect(await owner.textContent('#confirmation')).toBe('Evidence uploaded and stored; the task is done.');
    expect(await owner.textContent(`#done-tasks tr[data-control="${uploadedKey}"] .status`)).toBe('completed');
    // The upload is now the control's evidence, downloadable from the control page.
    await owner.goto(`${t.baseUrl}/controls/${uploadedKey}`);
    expect(await owner.locator('#evidence a', { hasText: 'access-review.csv' }).count()).toBe(1);
    const download = await owner.request.get(
      `${t.baseUrl}${await owner.locator('#evidence a', { hasText: 'access-review.csv' }).getAttribute('href')}`,
    );
    expect(await download.text()).toBe('user,role,reviewed\nsomchai@example.com,engineer,yes\n');
    await owner.goto(`${t.baseUrl}/sweep`);

    const second = owner.locator('article.task').nth(0);
    const attestedKey = (await second.getAttribute('data-control'))!;
    await second.locator('form.attest button[type=submit]').click();
    await owner.waitForURL(`${t.baseUrl}/sweep?done=task.attested`);
    expect(await owner.textContent('#confirmation')).toBe('Attested: the task is done.');
    expect(await owner.textContent(`#done-tasks tr[data-control="${attestedKey}"] .status`)).toBe('attested');
    expect(await owner.locator('article.task').count()).toBe(before - 2);
    await owner.context().close();

    const manager = await signIn(DEMO.compliance, '/sweeps');
    expect(Number(await manager.textContent('#sweep-done'))).toBe(2);
    expect(Number(await manager.textContent('#sweep-total'))).toBeGreaterThan(before);
    const engineering = manager.locator('#by-owner tr', { hasText: 'engineering' });
    expect(await engineering.count()).toBeGreaterThan(0);
    expect(await manager.locator('#posture article').count()).toBe(4);
    await manager.context().close();
  });
});
