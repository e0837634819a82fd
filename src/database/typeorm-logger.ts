import { Logger } from '@nestjs/common';
import { AbstractLogger, type LogLevel, type LogMessage, type QueryRunner } from 'typeorm';

/**
 * Sends TypeORM's log lines to the application logger. Query parameters are never logged: they can
 * carry personal data (DSR subjects, e-mail addresses).
 */
export class TypeOrmLogger extends AbstractLogger {
  private readonly out = new Logger('TypeORM');

  override logQueryError(
    error: string | Error,
    query: string,
    _parameters?: unknown[],
    _queryRunner?: QueryRunner,
  ): void {
    const entry = { query, err: error instanceof Error ? { message: error.message } : error };
    // Unique violations are expected (a taken e-mail, a sweep already opened): services turn them into 409s.
    if ((error as { code?: string }).code === '23505') this.out.debug(entry, 'query hit a unique constraint');
    else this.out.error(entry, 'query failed');
  }

  override logQuerySlow(time: number, query: string): void {
    this.out.warn({ query, ms: time }, 'slow query');
  }

  protected writeLog(level: LogLevel, logMessage: LogMessage | LogMessage[]): void {
    for (const m of Array.isArray(logMessage) ? logMessage : [logMessage]) {
      const text = typeof m.message === 'string' ? m.message : String(m.message);
      if (level === 'error') this.out.error(text);
      else if (level === 'warn') this.out.warn(text);
      else this.out.log(text);
    }
  }
}
