import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig, redactUrl } from '../config/config';
import { EmbeddedCluster } from './embedded-cluster';

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

export interface DatabaseConnection {
  url: string;
  kind: 'external' | 'embedded';
  /** Human-readable target for logs (no password). */
  describe: string;
  /** Stops the embedded cluster when this process owns it; a no-op for an external database. */
  release(): Promise<void>;
  /**
   * For the long-running server: starts the embedded cluster again when it stops unexpectedly (see
   * EmbeddedCluster.keepRunning); a no-op for an external database, which its own service manager restarts.
   */
  superviseEmbedded(): void;
}

/** DATABASE_URL when set, else the embedded cluster under DATA_DIR (shared with a running server). */
export async function openDatabaseConnection(
  config: AppConfig,
  log = new Logger('Database'),
): Promise<DatabaseConnection> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      kind: 'external',
      describe: redactUrl(config.databaseUrl),
      release: async () => undefined,
      superviseEmbedded: () => undefined,
    };
  }
  const cluster = new EmbeddedCluster({
    dataDir: config.dataDir,
    maxConnections: Math.max(100, config.dbPoolSize * 4),
    log: (m) => log.log(m),
  });
  const started = Date.now();
  const running = await cluster.start();
  log.log(
    running.owned
      ? `embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${join(config.dataDir, 'postgres')})`
      : 'using the embedded PostgreSQL started by another attest process',
  );
  return {
    url: running.url,
    kind: 'embedded',
    describe: `embedded PostgreSQL in ${cluster.clusterDir}`,
    release: () => cluster.stop(),
    superviseEmbedded: () => void cluster.keepRunning(),
  };
}
