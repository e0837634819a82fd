// The keys register in Chromium (issue 18): the engineering owner opens Keys from the menu, sees the demo
// keys with their states, opens the overdue one, is refused for a rotation time in the future (the error by
// the field, the note kept), attests the rotation, and the key shows OK with the attestation in its history;
// refreshing repeats nothing.
import { browserApp, describeInBrowser, signInPage } from '../support/browser';
import { client, DEMO, login } from '../support/auth';

describeInBrowser('keys in the browser', () => {
  const ctx = browserApp();

  it('an owner attests the rotation of an overdue key and it shows OK', async () => {
    const base = ctx.t.baseUrl;
    const page = await signInPage(ctx.browser, base, DEMO.owner, '/');
    await page.waitForURL(`${base}/`);
    // Keys sit under the header's "More".
    await page.click('#more-menu > summary');
    await page.click('#more-menu a[href="/keys"]');
    await page.waitForURL(`${base}/keys`);
    expect(await page.getAttribute('#keys tr[data-key="payment-gateway-api-key"]', 'data-state')).toBe('overdue');
    expect(await page.getAttribute('#keys tr[data-key="sms-provider-api-key"]', 'data-state')).toBe('due_soon');
    await page.click('#keys a:has-text("payment-gateway-api-key")');
    await page.waitForURL(`${base}/keys/payment-gateway-api-key`);
    expect(await page.getAttribute('#clock', 'data-state')).toBe('overdue');

    await page.fill('#attest-form input[name=rotatedAt]', '2099-01-01T10:00');
    await page.fill('#attest-form textarea[name=note]', 'rotated in the vault');
    await page.click('#attest-submit');
    await page.waitForSelector('#rotatedAt-error');
    expect(await page.inputValue('#attest-form textarea[name=note]')).toBe('rotated in the vault');

    await page.fill('#attest-form input[name=rotatedAt]', '');
    await page.fill('#attest-form input[name=evidence]', 'VAULT-v7');
    await page.click('#attest-submit');
    await page.waitForURL(`${base}/keys/payment-gateway-api-key#history`);
    expect(await page.getAttribute('#clock', 'data-state')).toBe('ok');
    expect(await page.locator('#rotations tr[data-source="owner_attestation"]').count()).toBe(2);
    await page.reload();
    expect(await page.locator('#rotations tr[data-source="owner_attestation"]').count()).toBe(2);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(1280);
    const api = client(base, await login(base, DEMO.owner));
    expect((await api('GET', '/api/keys/payment-gateway-api-key')).json.rotations[0]).toMatchObject({
      source: 'owner_attestation',
      evidence: 'VAULT-v7',
    });
  }, 180_000);
});
