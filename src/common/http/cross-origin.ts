// Which state-changing requests come from another origin, decided from what the browser says about the
// request (Fetch Metadata, then Origin), in the order Go's net/http CrossOriginProtection uses. Pure.
// A sibling origin (another host under the same site) is cross-origin here: SameSite=Lax cookies do not
// stop it, so `Sec-Fetch-Site: same-site` is refused too.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOriginFacts {
  method: string;
  /** The `Sec-Fetch-Site` header, when the browser sent one. */
  secFetchSite?: string;
  /** The `Origin` header, when sent. */
  origin?: string;
  /** The host this server was addressed as (`Host`, or `X-Forwarded-Host` behind a trusted proxy), with port. */
  host: string;
}

/** True when a state-changing request came from a page of another origin (to be refused). */
export function isCrossOrigin(r: RequestOriginFacts): boolean {
  if (SAFE_METHODS.has(r.method.toUpperCase())) return false;
  if (r.secFetchSite !== undefined && r.secFetchSite !== '') {
    // "none": the user typed or bookmarked it; "same-origin": one of our pages.
    return !['same-origin', 'none'].includes(r.secFetchSite.toLowerCase());
  }
  // Browsers without Fetch Metadata: compare Origin with the host addressed. No Origin at all is not a
  // browser's cross-origin request (curl, scripts, API clients), so it passes here.
  if (r.origin === undefined || r.origin === '') return false;
  try {
    const origin = new URL(r.origin);
    return origin.host.toLowerCase() !== r.host.toLowerCase();
  } catch {
    return true; // "null" (sandboxed or privacy-sensitive contexts) and anything unparseable
  }
}
