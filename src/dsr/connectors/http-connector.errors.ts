// Errors of the HTTP connector. Like the Postgres connector's DataSystemConnectorError they carry the code
// 'dsr.connector_failed' and the system key: the DSR service records them on the request (which stays
// resumable) rather than passing them to the HTTP caller, so they are not AppErrors; one reaching the
// problem filter is a server-side failure (500, logged).

export type HttpConnectorFailure =
  /** No HTTP answer: connection refused or reset, DNS, TLS. */
  | 'network'
  /** No answer within timeoutMs. */
  | 'timeout'
  /** An answer with a status other than 2xx (after retries, for 429 and 5xx). */
  | 'status'
  /** A 2xx answer whose body is not what the protocol says (named field). */
  | 'response_invalid'
  /** The connector is closed, or not configured to make the call (e.g. no token). */
  | 'unavailable';

export class DsrConnectorError extends Error {
  readonly code = 'dsr.connector_failed';
  constructor(
    /** The data system's key. */
    readonly system: string,
    /** export, erase, residue, seed, removeSeed or check. */
    readonly operation: string,
    readonly reason: HttpConnectorFailure,
    /** Method and URL without credentials, query or token: `POST https://crm.internal/dsr/export`. */
    readonly request: string,
    /** The last HTTP status received, null when none. */
    readonly status: number | null,
    /** The start of the last response body (at most 200 characters, the token blanked), null when none. */
    readonly bodyExcerpt: string | null,
    /** How many requests were made. */
    readonly attempts: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DsrConnectorError';
  }
}
