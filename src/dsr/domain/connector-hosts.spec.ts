import { loadConfig } from '../../config/config';
import type { DataSystemDefinition } from './data-map';
import { hostAllowed, parseConnectorHosts } from '../../common/net/host-allow-list';
import { connectorHostProblem } from './connector-hosts';

describe('DSR_CONNECTOR_ALLOWED_HOSTS', () => {
  const hosts = parseConnectorHosts('crm.internal, billing.internal:8443, *.svc.example, 10.0.4.7, [fd00::7]:8080');
  it.each([
    ['crm.internal', 443, true],
    ['CRM.internal.', 80, true],
    ['billing.internal', 8443, true],
    ['billing.internal', 22, false],
    ['a.b.svc.example', 80, true],
    ['svc.example', 80, false],
    ['evilsvc.example', 80, false],
    ['10.0.4.7', 5432, true],
    ['10.0.4.8', 5432, false],
    ['[fd00::7]', 8080, true],
    ['127.0.0.1', 6379, false],
  ])('%s:%i → %s', (host, port, allowed) => {
    expect(hostAllowed(hosts, host, port)).toBe(allowed);
  });

  it('"*" allows any host; a bad entry is named', () => {
    expect(hostAllowed(parseConnectorHosts('crm.internal,*'), '169.254.169.254', 80)).toBe(true);
    expect(() => parseConnectorHosts('crm.internal, http://x/')).toThrow(
      '"http://x/" is not a host, host:port or *.domain',
    );
    expect(() => parseConnectorHosts('crm:70000')).toThrow(/is not a host/);
  });

  it('names the field of the URL a definition would reach', () => {
    const http = {
      key: 'crm',
      name: 'CRM',
      kind: 'http',
      http: { baseUrl: 'http://127.0.0.1:6379/x' },
    } as unknown as DataSystemDefinition;
    expect(connectorHostProblem(http, hosts)).toEqual({
      field: 'http.baseUrl',
      message: 'names a host this server may not reach (127.0.0.1:6379 is not in DSR_CONNECTOR_ALLOWED_HOSTS)',
    });
    const pg = {
      key: 'db',
      name: 'DB',
      kind: 'postgres',
      postgres: { url: 'postgres://u:secret@10.0.4.7/app', tables: [] },
    } as unknown as DataSystemDefinition;
    expect(connectorHostProblem(pg, hosts)).toBeNull();
    const socket = {
      ...pg,
      postgres: { url: 'postgres://u@localhost/app?host=/var/run/postgresql', tables: [] },
    } as unknown as DataSystemDefinition;
    expect(connectorHostProblem(socket, hosts)?.field).toBe('postgres.url');
    expect(
      connectorHostProblem({ key: 'files', name: 'Files', kind: 'manual' } as unknown as DataSystemDefinition, hosts),
    ).toBeNull();
  });

  it('unset: any host outside production, none in production; set: the list', () => {
    const secrets = {
      DSR_KEY_FILE: 'k/dsr.json',
      AUDIT_SIGNING_KEY_FILE: 'k/trail.pem',
      SIGNING_P12_FILE: 'k/pack.p12',
    };
    expect(loadConfig({}, '/srv').dsrConnectorAllowedHosts).toEqual({ any: true });
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }, '/srv').dsrConnectorAllowedHosts).toEqual({
      any: false,
      patterns: [],
    });
    expect(
      loadConfig({ NODE_ENV: 'production', DSR_CONNECTOR_ALLOWED_HOSTS: 'crm.internal', ...secrets }, '/srv')
        .dsrConnectorAllowedHosts,
    ).toEqual({ any: false, patterns: [{ host: 'crm.internal', subdomains: false, port: null }] });
    expect(() => loadConfig({ DSR_CONNECTOR_ALLOWED_HOSTS: 'x y' }, '/srv')).toThrow(
      /DSR_CONNECTOR_ALLOWED_HOSTS "x y" is not a host/,
    );
  });
});
