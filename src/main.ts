// `npm start`: the Attest server. With no DATABASE_URL it runs on the embedded PostgreSQL under DATA_DIR.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { createApp } from './configure-app';
import { DEMO_PASSWORD, DEMO_USERS } from './identity/demo-users';
import { SweepJobs } from './sweeps/sweep.jobs';
import { PackSigner } from './audit-packs/signing/pack-signer';
import { DATABASE_CONNECTION, DatabaseConnection } from './postgres/database-connection';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const started = Date.now();
  const app = await createApp(config);
  const log = new Logger('Attest');
  // The server (not the short-lived CLI) starts its embedded PostgreSQL again if it stops by itself.
  app.get<symbol, DatabaseConnection>(DATABASE_CONNECTION).superviseEmbedded();

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received: finishing in-flight requests, then stopping`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS=${config.shutdownTimeoutMs}; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await app.close(); // stops listening, waits for in-flight requests, closes the pool, stops the embedded database
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));

  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.log(`listening on http://${shownHost}:${port} (ready in ${Date.now() - started} ms)`);
  const demo = config.demo
    ? `\nDemo users (password "${DEMO_PASSWORD}"):\n${DEMO_USERS.map((u) => `  ${u.email.padEnd(24)} ${u.persona}`).join('\n')}\n`
    : '';
  process.stdout.write(
    `\nAttest is running at http://${shownHost}:${port}  (API docs: /api/docs, health: /health)\n${demo}\n`,
  );
  await app.get(SweepJobs).catchUp();
  // The pack-signing certificate exists from the first start (self-signed unless SIGNING_P12_FILE is set),
  // so its fingerprint can be shown and handed to auditors before the first pack.
  try {
    const cert = app.get(PackSigner).certificate();
    log.log(
      `audit packs are signed by ${cert.subject} (SHA-256 ${cert.fingerprintSha256}${cert.selfSigned ? ', self-signed' : ''})`,
    );
  } catch (e) {
    log.error(`pack-signing certificate unavailable: ${(e as Error).message}`);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`Attest failed to start: ${e.message}\n`);
  if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
