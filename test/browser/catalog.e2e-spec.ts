// The catalog browser in Chromium: framework → requirement → control, a compliance manager assigning the
// accountable person, whom the control owner then sees on their "mine" list, and an owner correcting evidence.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { client, DEMO, login } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

describeInBrowser('catalog pages', () => {
  const ctx = browserApp();

  const signIn = (email: string, next: string): Promise<Page> => signInPage(ctx.browser, ctx.t.baseUrl, email, next);

  it('browses from the frameworks to a requirement to the controls that satisfy it', async () => {
    const page = await signIn(DEMO.auditor, '/catalog');
    expect(await page.locator('#frameworks tbody tr').count()).toBe(4);
    expect(await page.textContent('tr[data-framework="soc2"] .coverage')).toBe('61 covered · 0 n/a · 0 open');
    await page.click('tr[data-framework="pdpa"] a[href="/catalog/pdpa"]');
    expect(await page.textContent('h1')).toContain('Personal Data Protection');
    const firstControl = page.locator('tr[id="req-s30"] td:nth-child(3) a').first();
    const key = (await firstControl.textContent())!.trim();
    await firstControl.click();
    expect(page.url()).toBe(`${ctx.t.baseUrl}/controls/${key}`);
    expect(await page.locator('#requirements a', { hasText: 's30' }).count()).toBe(1);
    expect(await page.locator('#assign-owner').count()).toBe(0); // auditors only read
    await page.context().close();
  });

  it('a compliance manager assigns a control to a person, who sees it under "mine"', async () => {
    const manager = await signIn(DEMO.compliance, '/controls?department=engineering');
    const key = (await manager.locator('#controls tbody tr').first().getAttribute('data-key'))!;
    await manager.click(`#controls tr[data-key="${key}"] a`);
    await manager.selectOption('#assign-owner select[name=userId]', { label: 'Somchai Jaidee (engineering)' });
    await manager.click('#assign-owner button[type=submit]');
    await manager.waitForURL(`${ctx.t.baseUrl}/controls/${key}?done=owner.assigned`);
    expect(await manager.textContent('#confirmation')).toMatch(/^Owner assigned/);
    expect(await manager.textContent('#owner-name')).toBe('Somchai Jaidee');
    await manager.context().close();
    const owner = await signIn(DEMO.owner, '/controls?owner=me');
    expect(await owner.locator('#controls tbody tr').count()).toBe(1);
    expect(await owner.getAttribute('#controls tbody tr', 'data-key')).toBe(key);
    await owner.context().close();
  });

  describe('correcting evidence from the control page', () => {
    const files = mkdtempSync(join(tmpdir(), 'attest-correct-'));
    afterAll(() => rmSync(files, { recursive: true, force: true }));
    let key: string;
    let original: { id: string; title: string; periodStart: string; periodEnd: string };
    const fileOf = (name: string, text: string) => {
      writeFileSync(join(files, name), text);
      return join(files, name);
    };

    beforeAll(async () => {
      const owner = await login(ctx.t.baseUrl, DEMO.owner);
      key = (await client(ctx.t.baseUrl, owner)('GET', '/api/controls?department=engineering&limit=1')).json.items[0]
        .key;
      const form = new FormData();
      for (const [k, v] of Object.entries({
        title: 'Firewall rules export',
        controls: key,
        evidenceDate: '2026-11-02',
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
      }))
        form.append(k, v);
      form.append('file', new Blob(['rule,port\nallow,443\n']), 'rules.csv');
      const res = await fetch(`${ctx.t.baseUrl}/api/evidence`, {
        method: 'POST',
        headers: { cookie: owner },
        body: form,
      });
      expect(res.status).toBe(201);
      original = (await res.json()) as typeof original;
    });

    const row = (page: Page, id: string) => page.locator(`#evidence tr[data-evidence="${id}"]`);

    it('a refused correction shows the form again as typed; once fixed, the new item supersedes the old', async () => {
      const owner = await signIn(DEMO.owner, `/controls/${key}`);
      const stale = await signIn(DEMO.owner, `/controls/${key}`); // the same page, open in a second window
      await row(owner, original.id).locator('summary', { hasText: 'Correct' }).click();
      const form = row(owner, original.id).locator('form.correct-form');
      expect(await form.locator('input[name=title]').inputValue()).toBe('Firewall rules export');
      expect(await form.locator('input[name=periodStart]').inputValue()).toBe('2026-11-01');
      expect(await form.locator('input[name=evidenceDate]').inputValue()).toBe('2026-11-02');
      await form.locator('input[name=title]').fill('Firewall rules export (corrected)');
      await form.locator('textarea[name=description]').fill('The export came from the staging firewall.');
      await form.locator('input[name=periodEnd]').fill('2026-10-15'); // before the start: the server refuses
      await form.locator('input[type=file]').setInputFiles(fileOf('rules.csv', 'rule,port\nallow,443\ndeny,22\n'));
      const [refused] = await Promise.all([
        owner.waitForResponse((r) => r.request().method() === 'POST'),
        form.locator('button[type=submit]').click(),
      ]);
      expect(refused.status()).toBe(400);
      await owner.waitForLoadState();
      const again = row(owner, original.id).locator('form.correct-form');
      expect(await again.locator('input[name=title]').inputValue()).toBe('Firewall rules export (corrected)');
      expect(await again.locator('textarea[name=description]').inputValue()).toBe(
        'The export came from the staging firewall.',
      );
      expect(await again.locator('input[name=periodEnd]').inputValue()).toBe('2026-10-15');
      expect(await again.locator('input[name=periodEnd]').getAttribute('aria-invalid')).toBe('true');
      expect(await owner.textContent(`#correct-error-${original.id}`)).toMatch(/Period end must not be before/i);
      expect(
        (await client(ctx.t.baseUrl, await login(ctx.t.baseUrl, DEMO.owner))('GET', `/api/evidence/${original.id}`))
          .json.supersededBy,
      ).toBeNull();

      await again.locator('input[name=periodEnd]').fill('2026-11-30');
      await again.locator('input[type=file]').setInputFiles(fileOf('rules.csv', 'rule,port\nallow,443\ndeny,22\n'));
      await again.locator('button[type=submit]').click();
      await owner.waitForURL(`${ctx.t.baseUrl}/controls/${key}?done=evidence.corrected#evidence`);
      expect(await owner.textContent('#confirmation')).toMatch(/^Correction stored/);
      expect(await row(owner, original.id).count()).toBe(0); // superseded items are left out of the list
      const api = client(ctx.t.baseUrl, await login(ctx.t.baseUrl, DEMO.owner));
      const old = (await api('GET', `/api/evidence/${original.id}`)).json;
      expect(old.supersededBy).not.toBeNull();
      const corrected = (await api('GET', `/api/evidence/${old.supersededBy}`)).json;
      expect(corrected).toMatchObject({
        title: 'Firewall rules export (corrected)',
        description: 'The export came from the staging firewall.',
        supersedes: original.id,
        controls: [key],
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
      });
      expect(await row(owner, corrected.id).textContent()).toContain('corrects an earlier item');
      const download = await owner.request.get(`${ctx.t.baseUrl}${corrected.files[0].download}`);
      expect(await download.text()).toBe('rule,port\nallow,443\ndeny,22\n');

      // The second window still offers to correct the old item: sending it is refused (409), nothing is stored.
      await row(stale, original.id).locator('summary', { hasText: 'Correct' }).click();
      const late = row(stale, original.id).locator('form.correct-form');
      await late.locator('textarea[name=description]').fill('Same fix, sent twice.');
      await late.locator('input[type=file]').setInputFiles(fileOf('rules.csv', 'rule,port\n'));
      const [conflict] = await Promise.all([
        stale.waitForResponse((r) => r.request().method() === 'POST'),
        late.locator('button[type=submit]').click(),
      ]);
      expect(conflict.status()).toBe(409);
      await stale.waitForLoadState();
      expect(await stale.textContent(`#correct-error-${original.id}`)).toMatch(/already/i);
      expect(
        (await api('GET', `/api/evidence?control=${key}&limit=100`)).json.items.filter(
          (e: any) => e.supersedes === original.id,
        ),
      ).toHaveLength(1);
      await owner.context().close();
      await stale.context().close();
    }, 180_000); // two windows, three submissions: minutes on a loaded two-core machine

    it('only those who may attach evidence to the control see the form; others are refused', async () => {
      for (const who of [DEMO.auditor, DEMO.owner2]) {
        const page = await signIn(who, `/controls/${key}`);
        expect(await page.locator('#evidence form.correct-form').count()).toBe(0);
        await page.context().close();
      }
      const other = await login(ctx.t.baseUrl, DEMO.owner2);
      const current = (await client(ctx.t.baseUrl, other)('GET', `/api/evidence?control=${key}&current=true`)).json
        .items[0];
      // Sent from the page itself (its session, origin and anti-forgery token), as a crafted form would be.
      const page = await signIn(DEMO.owner2, `/controls/${key}`);
      const token = await page.locator('input[name=_csrf]').first().inputValue();
      const status = await page.evaluate(
        async ({ url, token }) => {
          const form = new FormData();
          form.append('title', 'Not mine to correct');
          form.append('description', 'Trying anyway.');
          for (const k of ['evidenceDate', 'periodStart', 'periodEnd']) form.append(k, '2026-11-02');
          form.append('file', new Blob(['x,y\n']), 'x.csv');
          return (await fetch(`${url}?_csrf=${token}`, { method: 'POST', body: form })).status;
        },
        { url: `/controls/${key}/evidence/${current.id}/correct`, token },
      );
      expect(status).toBe(403);
      expect((await client(ctx.t.baseUrl, other)('GET', `/api/evidence/${current.id}`)).json.supersededBy).toBeNull();
      await page.context().close();
    });
  });
});
