// A small real HTTP service implementing the DSR connector protocol (src/dsr/connectors/http.connector.ts)
// over an in-memory store: support tickets found by e-mail or phone (deleted on erasure) and invoices
// (retained for tax law). `failNext` makes the next calls answer 503, to test failures and resumption.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Row {
  id: number;
  email: string | null;
  phone: string | null;
  text: string;
}

type Keys = { email: string | null; phone: string | null; nationalId: string | null };

export class FakeDsrService {
  readonly token = 'svc-token-1234567890';
  tickets: Row[] = [];
  invoices: Row[] = [];
  failNext = 0;
  calls: string[] = [];
  private nextId = 1;
  private server!: Server;
  baseUrl = '';

  add(table: 'tickets' | 'invoices', row: Omit<Row, 'id'>): Row {
    const r = { id: this.nextId++, ...row };
    this[table].push(r);
    return r;
  }

  private matches(keys: Keys) {
    return (r: Row) =>
      (keys.email !== null && r.email === keys.email) || (keys.phone !== null && r.phone === keys.phone);
  }

  private handle(
    path: string,
    body: { subject?: Keys; seed?: { rows: { table: string; key: { id: number } }[] } },
  ): unknown {
    const keys = body.subject ?? { email: null, phone: null, nationalId: null };
    const mine = this.matches(keys);
    switch (path) {
      case '/dsr/export':
        return {
          tables: [
            { table: 'support_tickets', columns: ['id', 'email', 'phone', 'text'], rows: this.tickets.filter(mine) },
            { table: 'invoices', columns: ['id', 'email', 'text'], rows: this.invoices.filter(mine) },
          ],
        };
      case '/dsr/erase': {
        const before = this.tickets.length;
        this.tickets = this.tickets.filter((r) => !mine(r));
        return {
          tables: [
            { table: 'support_tickets', rule: 'delete', rows: before - this.tickets.length },
            {
              table: 'invoices',
              rule: 'retain',
              rows: this.invoices.filter(mine).length,
              basis: 'Revenue Code s. 87/3: tax documents kept 5 years',
              retention: 'P5Y',
            },
          ],
        };
      }
      case '/dsr/seed': {
        const t = this.add('tickets', { email: keys.email, phone: keys.phone, text: 'drill ticket' });
        const i = this.add('invoices', { email: keys.email, phone: null, text: 'drill invoice' });
        return {
          rows: [
            { table: 'support_tickets', key: { id: t.id }, values: { text: t.text } },
            { table: 'invoices', key: { id: i.id }, values: { text: i.text } },
          ],
        };
      }
      case '/dsr/seed/remove': {
        const ids = new Set((body.seed?.rows ?? []).map((r) => r.key.id));
        const before = this.tickets.length + this.invoices.length;
        this.tickets = this.tickets.filter((r) => !ids.has(r.id));
        this.invoices = this.invoices.filter((r) => !ids.has(r.id));
        return { removed: before - this.tickets.length - this.invoices.length };
      }
      default:
        return undefined;
    }
  }

  async start(): Promise<this> {
    const serve = async (req: IncomingMessage, res: ServerResponse) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      const path = new URL(req.url!, 'http://x').pathname;
      this.calls.push(path);
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (this.failNext > 0) {
        this.failNext--;
        return json(503, { error: 'maintenance' });
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) return json(401, { error: 'bad token' });
      const answer = this.handle(path, parts.length ? JSON.parse(Buffer.concat(parts).toString('utf8')) : {});
      return answer === undefined ? json(404, { error: 'no such endpoint' }) : json(200, answer);
    };
    this.server = createServer((req, res) => void serve(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The data-system definition registering this service. */
  definition(key = 'support-desk') {
    return {
      key,
      name: 'Support desk',
      kind: 'http',
      owner: { department: 'support' },
      http: { baseUrl: this.baseUrl, token: this.token, seedPath: '/dsr/seed', timeoutMs: 2000, retries: 1 },
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
