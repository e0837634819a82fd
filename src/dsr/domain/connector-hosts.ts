// Which hosts data-system connectors may reach (DSR_CONNECTOR_ALLOWED_HOSTS). Without such a list, a
// privacy officer's data-system URL could point anywhere the server can reach, and the connector's answers
// would tell which internal ports are open. Entries: `crm.internal`, `crm.internal:8443`, `10.0.4.7`,
// `[fd00::7]:8080`, `*.internal.example` (any subdomain), or `*` (anywhere). Without a port, any port.
import type { FieldProblem } from '../../common/errors/app-error';
import { hostAllowed, type ConnectorHosts } from '../../common/net/host-allow-list';
import type { DataSystemDefinition } from './data-map';

/** The host and port a definition's connector would reach, and the field that names them; null for manual systems. */
export function connectorEndpoint(
  definition: DataSystemDefinition,
): { field: string; hostname: string; port: number } | null {
  if (definition.kind === 'http') {
    const url = URL.canParse(definition.http.baseUrl) ? new URL(definition.http.baseUrl) : null;
    return (
      url && {
        field: 'http.baseUrl',
        hostname: url.hostname,
        port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      }
    );
  }
  if (definition.kind === 'postgres' && definition.postgres.url !== undefined) {
    const url = URL.canParse(definition.postgres.url) ? new URL(definition.postgres.url) : null;
    if (!url) return null;
    // libpq's ?host= (a socket folder, or a host) wins over the authority part.
    const host = url.searchParams.get('host') ?? (url.hostname || 'localhost');
    return { field: 'postgres.url', hostname: host, port: Number(url.searchParams.get('port') ?? url.port) || 5432 };
  }
  return null;
}

/** A 400 problem when the definition's connector would reach a host the setting does not allow. */
export function connectorHostProblem(definition: DataSystemDefinition, hosts: ConnectorHosts): FieldProblem | null {
  const endpoint = connectorEndpoint(definition);
  if (!endpoint || hostAllowed(hosts, endpoint.hostname, endpoint.port)) return null;
  return {
    field: endpoint.field,
    message: `names a host this server may not reach (${endpoint.hostname}:${endpoint.port} is not in DSR_CONNECTOR_ALLOWED_HOSTS)`,
  };
}
