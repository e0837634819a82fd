// Errors of the PostgreSQL connector (postgres.connector.ts).

/** A statement against the data store failed; the transaction it ran in was rolled back. */
export class DataSystemConnectorError extends Error {
  readonly code = 'dsr.connector_failed';
  constructor(
    readonly system: string,
    readonly operation: string,
    readonly table: string | null,
    /** PostgreSQL's SQLSTATE, when the server answered. */
    readonly sqlState: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataSystemConnectorError';
  }
}
