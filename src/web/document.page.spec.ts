import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import type { DiffView, DocumentView, VersionView } from '../documents/dto/document.dto';
import { refusedDocumentForm, versionBody } from './document-forms';
import { documentPage, myAcknowledgementsPage, renderMarkdown } from './document.page';

describe('renderMarkdown: a hostile version renders inert', () => {
  const cases: [string, string][] = [
    ['a script element', '<script>alert(1)</script>'],
    ['an inline script in a paragraph', 'Hello <script src="https://evil.example/x.js"></script> world'],
    ['an onerror attribute', '<img src=x onerror="alert(1)">'],
    ['an svg onload', '<svg onload=alert(1)></svg>'],
    ['an iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['a style element', '<style>body{display:none}</style>'],
    ['an HTML block', '<div onclick="alert(1)">\n\n*click*\n\n</div>'],
  ];
  it.each(cases)('escapes %s', (_name, source) => {
    const html = renderMarkdown(source);
    // Every `<` the author typed is text; the only tags are Markdown's own.
    expect(html).not.toMatch(/<(script|img|svg|iframe|style|div)\b/i);
    expect(html).toContain('&lt;');
  });

  const links: [string, string][] = [
    ['javascript:', '[click](javascript:alert(1))'],
    ['upper-case JAVASCRIPT:', '[click](JAVASCRIPT:alert(1))'],
    ['vbscript:', '[click](vbscript:msgbox(1))'],
    ['data:text/html', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['an autolink', '<javascript:alert(1)>'],
    ['a reference link', '[click][x]\n\n[x]: javascript:alert(1)'],
    ['an entity-encoded scheme', '[click](&#106;avascript:alert(1))'],
    ['an image', '![x](javascript:alert(1))'],
  ];
  it.each(links)('leaves a %s link unlinked', (_name, source) => {
    const html = renderMarkdown(source);
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data:text)/i);
    expect(html).not.toMatch(/<a [^>]*href="[^"]*script:/i);
  });

  it('keeps an obfuscated scheme from being one (a tab inside is percent-encoded, not stripped)', () => {
    const html = renderMarkdown('[click](java&#x09;script:alert(1))');
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('still renders the Markdown of a real policy: headings, lists, emphasis, ordinary links, code', () => {
    const html = renderMarkdown(
      '# Key management\n\n- rotate every **30 days**\n- see [NIST](https://csrc.nist.gov/)\n\n`openssl rand 32`',
    );
    expect(html).toContain('<h1>Key management</h1>');
    expect(html).toContain('<li>rotate every <strong>30 days</strong></li>');
    expect(html).toContain('<a href="https://csrc.nist.gov/">NIST</a>');
    expect(html).toContain('<code>openssl rand 32</code>');
  });

  it('renders empty and plain text without surprises', () => {
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown('a & b < c')).toBe('<p>a &amp; b &lt; c</p>\n');
  });
});

const actor = (role: UserActor['role'], departmentKey: string | null): UserActor =>
  ({ kind: 'user', id: `u-${role}`, name: role, role, departmentKey, via: 'session' }) as unknown as UserActor;

const doc = (extra: Partial<DocumentView> = {}): DocumentView => ({
  key: 'PRC-ONCALL',
  title: 'On-call procedure',
  type: 'procedure',
  ownerDepartment: 'engineering',
  ownerUserId: 'u-owner',
  audience: { everyone: false, roles: ['viewer'], departments: ['engineering'] },
  reviewCadenceMonths: 12,
  nextReviewOn: null,
  publishedVersion: null,
  retiredAt: null,
  retiredReason: null,
  controls: ['ENG-02'],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  versions: [],
  ...extra,
});

const version = (n: number, status: VersionView['status'], content = '# On call\n'): VersionView => ({
  documentKey: 'PRC-ONCALL',
  number: n,
  status,
  sha256: 'a'.repeat(64),
  content,
  changeSummary: `v${n}`,
  material: true,
  effectiveOn: null,
  round: 1,
  createdBy: 'u-owner',
  createdAt: '2026-12-01T00:00:00.000Z',
  submittedAt: null,
  approvedAt: null,
  publishedAt: status === 'published' ? '2026-12-02T00:00:00.000Z' : null,
  supersededAt: null,
  retiredAt: null,
  approval: { met: false, required: ['a compliance manager', 'someone of the owner department'], missing: [] },
  signatures: [],
});

const summary = (v: VersionView) => ({
  number: v.number,
  status: v.status,
  sha256: v.sha256,
  changeSummary: v.changeSummary,
  material: v.material,
  effectiveOn: v.effectiveOn,
  publishedAt: v.publishedAt,
});

function page(who: UserActor, versions: VersionView[], extra: Partial<Parameters<typeof documentPage>[0]> = {}) {
  const d = doc({
    versions: versions.map(summary).reverse(),
    publishedVersion: versions.find((v) => v.status === 'published')?.number ?? null,
  });
  return documentPage({
    doc: d,
    versions: new Map(versions.map((v) => [v.number, v])),
    shown: d.publishedVersion,
    diff: null,
    roster: null,
    names: new Map([
      ['u-owner', 'Somchai Jaidee'],
      ['u-compliance_manager', 'Chanida Srisuk'],
    ]),
    departments: [{ key: 'engineering', name: 'Engineering' }],
    ability: abilityFor(who),
    form: null,
    formKey: 'k'.repeat(22),
    now: new Date('2026-12-07T02:00:00Z'),
    ...extra,
  });
}

describe('documentPage', () => {
  const owner = actor('control_owner', 'engineering');
  const otherOwner = actor('control_owner', 'clinical');
  const compliance = actor('compliance_manager', 'compliance');

  it('offers the owner department the draft forms, and signing and publishing only when the lifecycle allows', () => {
    const draft = page(owner, [version(1, 'draft')]);
    expect(draft.can).toEqual({
      edit: true,
      submit: true,
      newVersion: false,
      sign: false,
      publish: false,
      retire: false,
    });
    expect(page(otherOwner, [version(1, 'draft')]).can.edit).toBe(false);
    const inReview = page(compliance, [version(1, 'in_review')]);
    expect(inReview.can).toMatchObject({ edit: false, submit: false, sign: true, publish: false });
    expect(page(compliance, [version(1, 'approved')]).can.publish).toBe(true);
    expect(page(owner, [version(1, 'approved')]).can.publish).toBe(false);
    expect(page(owner, [version(1, 'published')]).can.newVersion).toBe(true);
  });

  it('offers retiring to compliance only while a version is in force, and names a retired document so', () => {
    expect(page(compliance, [version(1, 'published')]).can.retire).toBe(true);
    expect(page(owner, [version(1, 'published')]).can.retire).toBe(false);
    expect(page(compliance, [version(1, 'approved')]).can.retire).toBe(false);
    const retired = documentPage({
      doc: doc({ retiredAt: '2026-12-06T17:30:00.000Z', retiredReason: 'merged into POL-ISMS' }),
      versions: new Map(),
      shown: null,
      diff: null,
      roster: null,
      names: new Map(),
      departments: [],
      ability: abilityFor(compliance),
      form: null,
      formKey: 'k'.repeat(22),
      now: new Date('2026-12-07T02:00:00Z'),
    });
    // 17:30 UTC on the 6th is 00:30 on the 7th in Bangkok: the day shown is the compliance zone's.
    expect(retired.doc.statusText).toBe('retired on 2026-12-07');
    expect(retired.can.retire).toBe(false);
  });

  it('shows the version in force rendered safely, and the open one beside it', () => {
    const p = page(owner, [version(1, 'published', '# v1 <script>x()</script>'), version(2, 'draft', '# v2')]);
    expect(p.shown?.number).toBe(1);
    expect(p.shown?.html).toBe('<h1>v1 &lt;script&gt;x()&lt;/script&gt;</h1>\n');
    expect(p.open?.number).toBe(2);
    expect(p.open?.isDraft).toBe(true);
    expect(p.doc).toMatchObject({
      statusText: 'in force (v1)',
      owner: 'Somchai Jaidee',
      departmentName: 'Engineering',
    });
    expect(p.doc.audienceText).toBe('viewers, Engineering');
    expect(p.forms.version.values.content).toBe('# v2');
  });

  it('names signers and says whether each signature holds', () => {
    const v = version(1, 'in_review');
    v.signatures = [
      {
        id: 's1',
        signerUserId: 'u-compliance_manager',
        signerRole: 'compliance_manager',
        meaning: 'approved',
        reason: null,
        round: 1,
        signedAt: '2026-12-06T03:00:00.000Z',
        versionSha256: 'b'.repeat(64),
        recordSha256: 'c'.repeat(64),
        valid: false,
      },
    ];
    const p = page(compliance, [v]);
    expect(p.open?.signatures).toEqual([
      expect.objectContaining({ signer: 'Chanida Srisuk', roleLabel: 'compliance manager', valid: false }),
    ]);
  });

  it('numbers the lines of a diff on each side', () => {
    const diff: DiffView = {
      documentKey: 'PRC-ONCALL',
      from: 1,
      to: 2,
      added: 2,
      removed: 1,
      hunks: [
        { kind: 'same', fromLine: 1, toLine: 1, lines: ['# On call'] },
        { kind: 'removed', fromLine: 2, toLine: null, lines: ['old'] },
        { kind: 'added', fromLine: null, toLine: 2, lines: ['new', 'newer'] },
      ],
    };
    const p = page(owner, [version(1, 'superseded'), version(2, 'published')], { diff });
    expect(p.diff?.rows.map((r) => [r.fromLine, r.toLine, r.sign, r.text])).toEqual([
      [1, 1, ' ', '# On call'],
      [2, '', '−', 'old'],
      ['', 2, '+', 'new'],
      ['', 3, '+', 'newer'],
    ]);
  });

  it('keeps a refused form as typed, the problem next to its field, and never the password', () => {
    const form = refusedDocumentForm(
      'sign',
      { meaning: 'reviewed', password: 'secret' },
      { message: 'The password is not yours: nothing was signed.', errors: [] },
    );
    form.errors.password = 'The password is not yours: nothing was signed.';
    const p = page(compliance, [version(1, 'in_review')], { form });
    expect(p.forms.sign.values).toEqual({ meaning: 'reviewed' });
    expect(p.forms.sign.meanings.find((m) => m.selected)?.key).toBe('reviewed');
    expect(p.forms.sign.errors.password).toMatch(/not yours/);
    expect(p.forms.reject.detail).toBeNull();
  });
});

describe('document forms', () => {
  it('sends Markdown with LF line ends (what the hash is of) and a ticked box as true', () => {
    expect(versionBody({ content: '# A\r\nb\r\n', changeSummary: ' first ', material: '1', effectiveOn: '' })).toEqual({
      content: '# A\nb\n',
      changeSummary: 'first',
      material: true,
      effectiveOn: undefined,
    });
  });

  it('puts an audience problem next to its checkbox group', () => {
    const form = refusedDocumentForm(
      'new',
      { key: 'bad key' },
      {
        message: 'invalid',
        errors: [
          { field: 'audience.roles', message: 'each value in roles must be one of …' },
          { field: 'key', message: 'key must be like POL-ISMS' },
        ],
      },
    );
    // In plain words for the page (plain-messages.ts).
    expect(form.errors).toEqual({ roles: 'Audience roles must be one of …', key: 'Key must be like POL-ISMS.' });
  });
});

describe('myAcknowledgementsPage', () => {
  it('lists open tasks (overdue counted) before the acknowledged ones, each with a link to its version', () => {
    const task = (id: string, status: 'pending' | 'overdue' | 'acknowledged') => ({
      id,
      documentKey: 'PRC-ONCALL',
      documentTitle: 'On-call procedure',
      versionNumber: 2,
      versionSha256: 'a'.repeat(64),
      status,
      dueAt: '2026-12-20T16:59:00.000Z',
      createdAt: '2026-12-06T00:00:00.000Z',
      acknowledgedAt: status === 'acknowledged' ? '2026-12-07T00:00:00.000Z' : null,
    });
    const p = myAcknowledgementsPage({
      list: {
        items: [task('a', 'overdue'), task('b', 'pending'), task('c', 'acknowledged')],
        total: 3,
        limit: 200,
        offset: 0,
      },
      form: { form: 'acknowledge:b', values: {}, errors: {}, detail: 'A later version replaced it.' },
      formKey: 'k'.repeat(22),
    });
    expect(p.open.map((t) => [t.id, t.overdue])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(p.overdue).toBe(1);
    expect(p.done.map((t) => t.id)).toEqual(['c']);
    expect(p.open[0].read).toBe('/documents/PRC-ONCALL?version=2');
    expect(p.open[1].error).toBe('A later version replaced it.');
    expect(p.open[0].error).toBeNull();
  });
});
