// Global search over HTTP (issue 19): one box finds controls, requirements, evidence titles, risks, DSR
// references, documents and incidents — each section with the same count its list API gives the same person,
// a link to the list filtered the same way, and nothing of a kind the person may not read.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'compliance' | 'privacy' | 'owner' | 'viewer';

let t: TestApp;
const as = {} as Record<Who, ReturnType<typeof client>>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const who of ['compliance', 'privacy', 'owner', 'viewer'] as const)
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** The search page for `q`: each section's count and its links, read from the HTML. */
async function search(who: Who, q: string) {
  const res = await as[who]('GET', `/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  const sections = new Map<string, { total: number; links: string[]; more: string | null }>();
  for (const m of res.text.matchAll(
    /<section class="search-section" id="search-([a-z]+)" data-total="(\d+)">([\s\S]*?)<\/section>/g,
  )) {
    const links = [...m[3].matchAll(/<li><a href="([^"]+)">/g)].map((l) => l[1].replace(/&#x3D;/g, '='));
    const more = /<a href="([^"]+)" class="search-more">/
      .exec(m[3])?.[1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    sections.set(m[1], { total: Number(m[2]), links, more: more ?? null });
  }
  return { html: res.text, sections };
}

const total = async (who: Who, path: string) => {
  const res = await as[who]('GET', path);
  expect(res.status).toBe(200);
  return res.json.total as number;
};

describe('global search', () => {
  it('finds controls and requirements by key, with the list API’s count and a link to the filtered list', async () => {
    const { sections } = await search('compliance', 'ACC-0');
    const controls = sections.get('controls')!;
    expect(controls.total).toBe(await total('compliance', '/api/controls?q=ACC-0&limit=1'));
    expect(controls.total).toBeGreaterThan(0);
    expect(controls.links.every((l) => /^\/controls\/ACC-0\d$/.test(l))).toBe(true);
    expect(controls.more).toBe('/controls?q=ACC-0');

    const soc2 = await search('compliance', 'CC6.1');
    const requirements = soc2.sections.get('requirements')!;
    expect(requirements.links).toContain('/catalog/soc2#req-CC6.1');
    expect(requirements.total).toBe(await total('compliance', '/api/frameworks/soc2/requirements?q=CC6.1&limit=1'));
  });

  it('finds evidence by words of its title, and a DSR by its reference only for those who read DSRs', async () => {
    const evidence = await as.owner('POST', '/api/evidence', {
      kind: 'link',
      title: 'Quarterly firewall rule review',
      url: 'https://wiki.example.com/fw/2026-q4',
      controls: ['ENG-05'],
      evidenceDate: '2026-11-21',
      periodStart: '2026-11-16',
      periodEnd: '2026-11-22',
    });
    expect(evidence.status).toBe(201);
    const found = (await search('compliance', 'FIREWALL rule')).sections.get('evidence')!;
    expect(found.links).toContain('/controls/ENG-05');
    expect(found.total).toBe(await total('compliance', '/api/evidence?q=FIREWALL%20rule&current=true&limit=1'));

    const dsr = await as.privacy('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'Search Test', email: 'search.test@example.com' },
    });
    expect(dsr.status).toBe(201);
    const privacy = await search('privacy', dsr.json.reference);
    expect(privacy.sections.get('dsr')).toEqual({
      total: 1,
      links: [`/dsr/${dsr.json.id}`],
      more: `/dsr?q=${dsr.json.reference}`,
    });
    const owner = await search('owner', dsr.json.reference);
    expect(owner.sections.has('dsr')).toBe(false);
    expect(owner.html).not.toContain('Data subject requests');
    expect(owner.html).not.toContain(dsr.json.id);
  });

  it('says when nothing matches, and takes % and _ literally', async () => {
    const none = await search('viewer', 'zzqx-no-such-thing');
    expect(none.sections.size).toBe(0);
    expect(none.html).toContain('id="search-nothing"');
    expect(none.html).not.toContain('data subject requests'); // not a kind a viewer may read
    const percent = await search('compliance', '%');
    expect(percent.sections.get('controls')?.total ?? 0).toBe(await total('compliance', '/api/controls?q=%25&limit=1'));
    expect(percent.sections.get('controls')?.total ?? 0).toBe(0);
  });

  it('a search too long is asked again with the words kept, not refused with an error page', async () => {
    const long = 'access review '.repeat(10);
    const res = await as.compliance('GET', `/search?q=${encodeURIComponent(long)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Search for at most 100 characters.');
    expect(res.text).toContain(`value="${long.trim()}"`);
    expect(res.text).toContain('aria-invalid="true"');
  });

  it('every page links to it, with its keyboard shortcut', async () => {
    const home = await as.owner('GET', '/controls');
    expect(home.text).toContain('<a href="/search" id="search-link" accesskey="k"');
    expect(home.text).toContain('<script src="/assets/search-key.js" defer></script>');
  });
});
