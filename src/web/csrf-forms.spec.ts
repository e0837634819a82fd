// Every state-changing form of every page carries the anti-forgery token: `{{> csrf}}` inside the form,
// or, for a multipart form (whose body is read after the guards), `_csrf={{@root.csrfToken}}` in its action.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', 'templates', 'web');

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? templates(join(dir, e.name)) : e.name.endsWith('.hbs') ? [join(dir, e.name)] : [],
  );
}

/** `file:line <form …>` for each POST form without the token. */
export function formsWithoutCsrf(file: string, text: string): string[] {
  const missing: string[] = [];
  for (const m of text.matchAll(/<form\b[^>]*>/gi)) {
    const tag = m[0];
    if (!/\bmethod\s*=\s*["']?post/i.test(tag)) continue;
    const end = text.indexOf('</form>', m.index! + tag.length);
    const inner = text.slice(m.index! + tag.length, end < 0 ? undefined : end);
    const multipart = /enctype\s*=\s*["']?multipart\/form-data/i.test(tag);
    const ok = multipart ? /[?&]_csrf=\{\{@root\.csrfToken\}\}/.test(tag) : /\{\{>\s*csrf\s*\}\}/.test(inner);
    if (!ok) missing.push(`${file}:${text.slice(0, m.index).split('\n').length} ${tag}`);
  }
  return missing;
}

describe('page forms', () => {
  it('finds the templates and their POST forms', () => {
    const all = templates(ROOT);
    expect(all.length).toBeGreaterThan(10);
    expect(
      all
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n')
        .match(/<form\b[^>]*method="post"/gi)?.length,
    ).toBeGreaterThan(20);
  });

  it('every POST form carries the CSRF token ({{> csrf}}, or ?_csrf= in a multipart action)', () => {
    const missing = templates(ROOT).flatMap((f) => formsWithoutCsrf(relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(missing).toEqual([]);
  });

  it('the scan catches a form without it', () => {
    expect(formsWithoutCsrf('x.hbs', '<form method="post" action="/a"><button>Go</button></form>')).toEqual([
      'x.hbs:1 <form method="post" action="/a">',
    ]);
    expect(
      formsWithoutCsrf(
        'x.hbs',
        '<form class="a"\n  method="POST" action="/a">{{> csrf}}</form><form method="post" enctype="multipart/form-data" action="/u"></form>',
      ),
    ).toEqual(['x.hbs:2 <form method="post" enctype="multipart/form-data" action="/u">']);
    expect(formsWithoutCsrf('x.hbs', '<form method="get" action="/s"></form>')).toEqual([]);
  });
});
