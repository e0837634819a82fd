// "Fresh at the end of the period" must not be said before the period has ended: a pack states the
// controls' freshness as of the earlier of the period's end and the moment it was built, and says which.
// Collected on a real database (a pack built mid-period and one built after), and read back from the PDF.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PackCollector } from '../../src/audit-packs/pack-collector.service';
import { renderPackPdf } from '../../src/audit-packs/pdf/render-pack-pdf';
import { startTestApp, TestApp } from '../support/app';

const ROOT = join(__dirname, '..', '..');
const signer = { subject: 'CN=Test', fingerprintSha256: 'ab'.repeat(32), selfSigned: true };
const scope = { framework: 'soc2', from: '2026-12-01', to: '2026-12-31' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
});
afterAll(async () => t?.close());

const pdfText = async (model: Parameters<typeof renderPackPdf>[0]) => {
  const pdf = await renderPackPdf(model, { templatesDir: join(ROOT, 'templates'), attachments: [] });
  return execFileSync('pdftotext', ['-raw', '-', '-'], { input: pdf, encoding: 'utf8' }).replace(/\s+/g, ' ');
};

it('a pack built on 5 December for December states freshness as of the moment it was built, and says so', async () => {
  const { model } = await t.app.get(PackCollector).collect(scope, signer, new Date('2026-12-05T08:42:00Z'));
  expect(model.freshnessAsOf).toEqual({
    at: '2026-12-05T08:42:00.000Z',
    basis: 'built',
    statement: "as of 2026-12-05 15:42 ICT, the moment this pack was built (before the period's end, 2026-12-31)",
  });
  expect(model.scopeAndMethod.join('\n')).toContain(
    "Control status is freshness as of 2026-12-05 15:42 ICT, the moment this pack was built (before the period's end, 2026-12-31)",
  );
  const text = await pdfText(model);
  expect(text).toContain(
    "Status is freshness as of 2026-12-05 15:42 ICT, the moment this pack was built (before the period's end, 2026-12-31).",
  );
  expect(text).toContain('when this pack was built');
  expect(text).not.toMatch(/(fresh|due_soon|stale|missing) at the (end of the period|period's end)/);
});

it("a pack built after the period states freshness as of the period's end", async () => {
  const { model } = await t.app.get(PackCollector).collect(scope, signer, new Date('2027-01-15T03:00:00Z'));
  expect(model.freshnessAsOf).toEqual({
    at: '2026-12-31T17:00:00.000Z',
    basis: 'period_end',
    statement: "as of the period's end (2026-12-31 24:00 ICT)",
  });
  const text = await pdfText(model);
  expect(text).toContain("Status is freshness as of the period's end (2026-12-31 24:00 ICT).");
  expect(text).toMatch(/missing at the period's end ·/);
  expect(text).not.toContain('when this pack was built');
});
