// `attest` — the command line, on the same Nest modules as the server (a standalone application context).
// With no DATABASE_URL it uses the embedded database under DATA_DIR: the running server's, or it starts
// the cluster itself for the duration of the command.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { CliModule } from './cli/cli.module';
import { CommandResult, healthCommand, migrateCommand } from './cli/commands';
import { APP_VERSION } from './config/app-root';
import { ConfigError, loadConfig } from './config/config';
import type { INestApplicationContext } from '@nestjs/common';

async function withContext(run: (ctx: INestApplicationContext) => Promise<CommandResult>): Promise<number> {
  const config = loadConfig();
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: process.env.LOG_LEVEL === 'debug' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const result = await run(ctx);
    process.stdout.write(result.output + '\n');
    return result.exitCode;
  } finally {
    await ctx.close();
  }
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('attest')
    .description('Attest command line: compliance catalog, sweeps, DSR drills and audit packs.')
    .version(APP_VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => setExit(await withContext(migrateCommand)));

  program
    .command('health')
    .description('check that the database is reachable and migrations are current (exit 1 when not)')
    .option('--json', 'print the full health result as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await withContext((ctx) => healthCommand(ctx, !!opts.json))));

  return program;
}

async function main(): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      exitCode = e.exitCode;
    } else if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      exitCode = 1;
    } else {
      process.stderr.write(`attest: ${(e as Error).message}\n`);
      exitCode = 1;
    }
  }
  process.exitCode = exitCode;
}

void main();
