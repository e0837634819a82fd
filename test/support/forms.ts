// Page forms as a browser sends them: urlencoded, with the session's anti-forgery token (`_csrf`) read
// from a page, the way the browser gets it. Tests that post forms directly use these.

const tokens = new Map<string, string>();

/** The `_csrf` token a page shows this session (read once per cookie from the home page's sign-out form). */
export async function csrfToken(baseUrl: string, cookie: string): Promise<string> {
  const known = tokens.get(cookie);
  if (known) return known;
  const res = await fetch(`${baseUrl}/`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
  const html = await res.text();
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error(`no _csrf field on / (status ${res.status}): is the cookie signed in?`);
  tokens.set(cookie, token);
  return token;
}

/** Posts a page form (urlencoded, repeated keys for arrays) with its token, without following the redirect. */
export async function postForm(
  baseUrl: string,
  cookie: string,
  path: string,
  fields: Record<string, string | string[]> = {},
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  if (!('_csrf' in fields)) body.append('_csrf', await csrfToken(baseUrl, cookie));
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  });
  return { status: res.status, location: res.headers.get('location'), headers: res.headers, text: await res.text() };
}
