import { DEMO_PASSWORD } from '../../src/identity/demo-users';

export const DEMO = {
  admin: 'admin@demo.local',
  compliance: 'compliance@demo.local',
  owner: 'owner@demo.local',
  owner2: 'owner2@demo.local',
  quality: 'quality@demo.local',
  privacy: 'privacy@demo.local',
  auditor: 'auditor@demo.local',
  viewer: 'viewer@demo.local',
} as const;

/** Signs in through the API and returns the Cookie header to send with later requests. */
export async function login(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('login set no cookie');
  return cookie.split(';')[0];
}

/** fetch with a session cookie (or a bearer token when `as` starts with "atk_"), JSON in and out. */
export function client(baseUrl: string, as: string | null) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const auth: Record<string, string> =
      as === null ? {} : as.startsWith('atk_') ? { authorization: `Bearer ${as}` } : { cookie: as };
    const res = await fetch(baseUrl + path, {
      method,
      redirect: 'manual',
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}
