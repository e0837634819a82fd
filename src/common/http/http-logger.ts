import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Request id: the caller's X-Request-Id when it looks like one, else a new UUID. Also set on the raw request for pino-http. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

/** Health probes and static assets are not logged per request: they would drown everything else. */
function isQuietPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/health' || path.startsWith('/assets/');
}

/**
 * Structured JSON logs, one line per request. Only method, path (no query string), status and timing
 * are logged: no headers, bodies, query strings or client addresses, which can carry secrets or personal data.
 */
export function httpLoggerOptions(config: { logLevel: string }): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      autoLogging: {
        ignore: (req) => isQuietPath((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? ''),
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error & { code?: string }) => ({
          type: err.name,
          message: err.message,
          code: err.code,
          stack: err.stack,
        }),
      },
      redact: { paths: ['req.headers', 'res.headers', '*.password', '*.token', '*.secret'], remove: true },
    },
  };
}
