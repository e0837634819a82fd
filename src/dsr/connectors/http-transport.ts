// The HTTP connector's transport (http.connector.ts): Node's fetch; each attempt times out after timeoutMs;
// network errors, timeouts, 429 and 5xx are retried `retries` times with exponential backoff and jitter
// (429/503 Retry-After honoured up to a cap); other statuses fail at once. Redirects are not followed (the
// token must not travel elsewhere). Errors (DsrConnectorError) name the system, the request without
// credentials, the status and the start of the body (a connection failure or timeout only as "could not
// reach the data system": its cause is logged); answers are checked with zod (http-answers.ts).
import { Logger } from '@nestjs/common';
import type { z } from 'zod';
import type { HttpMap } from '../domain/data-map';
import { FailWith, parseAnswer } from './http-answers';
import { DsrConnectorError } from './http-connector.errors';

export interface HttpConnectorOptions {
  /** The bearer token when the definition does not carry it (the service keeps it encrypted apart). */
  token?: string;
  /** The first retry waits about this long, doubling each time, at most 8 s. Default 250 ms. */
  backoffMs?: number;
  /** The longest Retry-After honoured; a longer one is cut to this. Default 30 s. */
  maxRetryAfterMs?: number;
  /** The largest answer read; a larger one is an error. Default 64 MiB. */
  maxResponseBytes?: number;
}

export type Operation = 'export' | 'erase' | 'residue' | 'seed' | 'removeSeed' | 'check';

const EXCERPT_CHARS = 200;
/** What a privacy officer is told about any connection failure (the cause is in the server log). */
export const UNREACHABLE = 'could not reach the data system';
const log = new Logger('HttpConnector');
const MAX_BACKOFF_MS = 8_000;

/** One call: where it goes, how it is shown in errors and logs, and how it fails. */
interface Call {
  url: string;
  shown: string;
  fail: FailWith;
}

export class HttpTransport {
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxResponseBytes: number;
  private readonly closing = new AbortController();

  constructor(
    private readonly system: string,
    private readonly http: HttpMap,
    private readonly token: string | undefined,
    options: HttpConnectorOptions,
  ) {
    this.backoffMs = options.backoffMs ?? 250;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  }

  async post<S extends z.ZodType>(
    operation: Operation,
    path: string,
    body: unknown,
    schema: S,
    retries = this.http.retries,
  ): Promise<z.infer<S>> {
    const call = this.call(operation, joinUrl(this.http.baseUrl, path));
    const { url, fail } = call;
    if (!this.token) throw fail('unavailable', null, null, 0, 'cannot be called: the system has no token (http.token)');
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted)
        throw fail('unavailable', null, null, attempt - 1, 'was not sent: the connector is closed');
      const retriesLeft = attempt <= retries;
      const tries = attempt === 1 ? '' : ` (${attempt} attempts)`;
      const sent = await this.send(call, payload, attempt, retriesLeft, tries);
      if (!sent) continue;
      const { response, text } = sent;
      const excerpt = excerptOf(text, this.token);
      if (response.ok) return parseAnswer(schema, text, response.status, excerpt, attempt, fail);
      if ((response.status === 429 || response.status >= 500) && retriesLeft) {
        await this.pause(
          retryAfterMs(response.headers.get('retry-after'), this.maxRetryAfterMs) ?? this.backoff(attempt),
        );
        continue;
      }
      throw statusFailure(response, url, excerpt, attempt, tries, fail);
    }
  }

  /** Aborts requests in flight; later calls fail. */
  close(): void {
    this.closing.abort();
  }

  private call(operation: Operation, url: string): Call {
    const shown = `POST ${displayUrl(url)}`;
    const fail: FailWith = (reason, status, excerpt, attempts, message, cause) =>
      new DsrConnectorError(
        this.system,
        operation,
        reason,
        shown,
        status,
        excerpt,
        attempts,
        `${this.system}: ${shown} ${message}`,
        cause === undefined ? undefined : { cause },
      );
    return { url, shown, fail };
  }

  /** One attempt: the answer, or null after a connection failure that is retried (the pause already taken). */
  private async send(
    { url, shown, fail }: Call,
    payload: string,
    attempt: number,
    retriesLeft: boolean,
    tries: string,
  ): Promise<{ response: Response; text: string } | null> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.http.timeoutMs), this.closing.signal]);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: payload,
        signal,
        redirect: 'manual',
      });
      const text = await readText(response, response.ok ? this.maxResponseBytes : 4096);
      return { response, text };
    } catch (e) {
      if (this.closing.signal.aborted)
        throw fail('unavailable', null, null, attempt, 'was abandoned: the connector was closed', e);
      if (e instanceof ResponseTooLarge)
        throw fail('response_invalid', e.status, null, attempt, `answered more than ${this.maxResponseBytes} bytes`);
      const timedOut = (e as Error).name === 'TimeoutError' || signal.aborted;
      if (retriesLeft) {
        await this.pause(this.backoff(attempt));
        return null;
      }
      // One text for every connection failure (refused, reset, DNS, TLS, timeout): the difference would
      // tell whoever registers a URL which internal ports are open. The cause goes to the server log only.
      const cause = timedOut ? `no answer within ${this.http.timeoutMs} ms` : networkCause(e);
      log.warn(`${this.system}: ${shown} failed after ${attempt} attempt(s): ${cause}`);
      throw fail(timedOut ? 'timeout' : 'network', null, null, attempt, `${UNREACHABLE}${tries}`, e);
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (attempt - 1));
    return base / 2 + Math.random() * (base / 2);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.closing.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The error for an answer that is not 2xx and not retried. */
function statusFailure(
  response: Response,
  url: string,
  excerpt: string | null,
  attempt: number,
  tries: string,
  fail: FailWith,
): DsrConnectorError {
  let message = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${tries}`;
  if (response.status >= 300 && response.status < 400)
    message += ` (a redirect${response.headers.get('location') ? ` to ${displayUrl(response.headers.get('location')!, url)}` : ''}; not followed: configure the final URL)`;
  if (response.status === 401 || response.status === 403) message += ' (check the token of the data system)';
  return fail('status', response.status, excerpt, attempt, excerpt ? `${message}: ${excerpt}` : message);
}

class ResponseTooLarge extends Error {
  constructor(readonly status: number) {
    super('response too large');
  }
}

/** The body as text, at most `limit` bytes: a larger 2xx answer is an error, a larger error body is cut. */
async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      if (response.ok) throw new ResponseTooLarge(response.status);
      parts.push(value.subarray(0, value.length - (total - limit)));
      break;
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** Scheme, host and path only: no user:password, query or fragment. */
function displayUrl(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function excerptOf(text: string, token: string): string | null {
  let t = text.split(token).join('***').replace(/\s+/g, ' ').trim();
  if (t === '') return null;
  if (t.length > EXCERPT_CHARS) t = `${t.slice(0, EXCERPT_CHARS - 1)}…`;
  return t;
}

function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** Retry-After in seconds or as an HTTP date, capped; null when absent or unreadable. */
export function retryAfterMs(header: string | null, capMs: number, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.max(0, Math.min(ms, capMs));
}
