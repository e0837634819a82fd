// Host allow-lists (e.g. DSR_CONNECTOR_ALLOWED_HOSTS): entries `crm.internal`, `crm.internal:8443`,
// `10.0.4.7`, `[fd00::7]:8080`, `*.internal.example` (any subdomain), or `*` (anywhere). Without a port,
// any port. Pure.

export interface HostPattern {
  /** Lower case; for `*.x.y`, the suffix `.x.y`. IPv6 in brackets, as URL.hostname writes it. */
  host: string;
  subdomains: boolean;
  port: number | null;
}

/** `any`: every host (the default outside production); else only the patterns (none: no connector host). */
export type ConnectorHosts = { any: true } | { any: false; patterns: HostPattern[] };

const ENTRY = /^(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/** Parses the setting; throws an Error naming the first bad entry. */
export function parseConnectorHosts(text: string): ConnectorHosts {
  const entries = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (entries.includes('*')) return { any: true };
  const patterns = entries.map((entry) => {
    const m = ENTRY.exec(entry);
    const port = m?.[3] === undefined ? null : Number(m[3]);
    if (!m || (port !== null && (port < 1 || port > 65535)))
      throw new Error(`"${entry}" is not a host, host:port or *.domain`);
    return { host: m[1] ? `.${m[2]}` : m[2], subdomains: Boolean(m[1]), port };
  });
  return { any: false, patterns };
}

export function hostAllowed(hosts: ConnectorHosts, hostname: string, port: number): boolean {
  if (hosts.any) return true;
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return hosts.patterns.some(
    (p) => (p.subdomains ? name.endsWith(p.host) : name === p.host) && (p.port === null || p.port === port),
  );
}
