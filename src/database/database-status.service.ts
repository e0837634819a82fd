import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DATABASE_CONNECTION, DatabaseConnection } from '../postgres/database-connection';
import { pendingMigrations, runMigrationsLocked } from './migrations-runner';

export interface DatabaseStatus {
  reachable: boolean;
  target: string;
  serverVersion?: string;
  pendingMigrations: string[];
  error?: string;
}

/** What `/health` and `attest health` report, and `attest migrate` does. */
@Injectable()
export class DatabaseStatusService {
  constructor(
    private readonly ds: DataSource,
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
  ) {}

  async status(): Promise<DatabaseStatus> {
    try {
      const rows: { server_version: string }[] = await this.ds.query('SHOW server_version');
      return {
        reachable: true,
        target: this.connection.describe,
        serverVersion: rows[0].server_version,
        pendingMigrations: await pendingMigrations(this.ds),
      };
    } catch (e) {
      return { reachable: false, target: this.connection.describe, pendingMigrations: [], error: (e as Error).message };
    }
  }

  migrate(): Promise<string[]> {
    return runMigrationsLocked(this.ds);
  }
}
