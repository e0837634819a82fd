// `attest` — the command line, on the same Nest modules as the server (a standalone application context).
// With no DATABASE_URL it uses the embedded database under DATA_DIR: the running server's, or it starts
// the cluster itself for the duration of the command.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { CliModule } from './cli/cli.module';
import { CommandResult, healthCommand, migrateCommand } from './cli/commands';
import {
  catalogCoverageCommand,
  catalogExportCommand,
  catalogSyncCommand,
  catalogValidateCommand,
} from './cli/catalog.commands';
import { sweepCloseCommand, sweepOpenCommand } from './cli/sweep.commands';
import { dsrDrillCommand } from './cli/dsr.commands';
import { incidentListCommand } from './cli/incident.commands';
import { releaseCheckCommand, releaseCheckOverHttp } from './cli/release.commands';
import { documentsExportCommand, documentsImportCommand } from './cli/documents.commands';
import { tokenCreateCommand, TokenCreateOptions, userCreateCommand, UserCreateOptions } from './cli/identity.commands';
import { trailCheckpointCommand, trailVerifyCommand } from './cli/trail-commands';
import { packBuildCommand, PackBuildOptions, packVerifyCommand } from './cli/pack.commands';
import { keysGenerateCommand, keysReencryptCommand, keysRotateCommand } from './cli/keys.commands';
import { ROLES } from './authz/actor';
import { MAX_TOKEN_DAYS } from './identity/dto/api-token.dto';
import { APP_VERSION } from './config/app-root';
import { ConfigError, loadConfig } from './config/config';
import type { INestApplicationContext } from '@nestjs/common';

/**
 * Runs one command on a Nest application context. `identity` adds users, departments and tokens; such
 * commands first apply pending migrations (the identity start-up needs its tables).
 */
async function withContext(
  run: (ctx: INestApplicationContext) => Promise<CommandResult>,
  options: { identity?: boolean } = {},
): Promise<number> {
  const config = loadConfig();
  const ctx = await NestFactory.createApplicationContext(
    CliModule.forRoot(config, { identity: options.identity ?? false }),
    {
      logger: process.env.LOG_LEVEL === 'debug' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'],
      abortOnError: false,
    },
  );
  try {
    const result = await run(ctx);
    process.stdout.write(result.output + '\n');
    return result.exitCode;
  } finally {
    await ctx.close();
  }
}

/** A command's result printed as withContext prints it (for commands that need no database). */
function printed(result: CommandResult): number {
  process.stdout.write(result.output + '\n');
  return result.exitCode;
}

type SetExit = (code: number) => void;

export function buildProgram(setExit: SetExit): Command {
  const program = new Command('attest')
    .description('Attest command line: compliance catalog, sweeps, DSR drills and audit packs.')
    .version(APP_VERSION)
    // `attest --version` is the program's; `attest release check --version 1.4.0` is the release's.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  addDatabaseCommands(program, setExit);
  addCatalogCommands(program, setExit);
  addSweepAndDsrCommands(program, setExit);
  addDocumentCommands(program, setExit);
  addIdentityCommands(program, setExit);
  addTrailCommands(program, setExit);
  addPackCommands(program, setExit);
  addKeysCommands(program, setExit);
  return program;
}

/** migrate, health. */
function addDatabaseCommands(program: Command, setExit: SetExit): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => setExit(await withContext(migrateCommand)));

  program
    .command('health')
    .description('check that the database is reachable and migrations are current (exit 1 when not)')
    .option('--json', 'print the full health result as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await withContext((ctx) => healthCommand(ctx, !!opts.json))));
}

/** catalog validate, sync, coverage, export. */
function addCatalogCommands(program: Command, setExit: SetExit): void {
  const catalog = program.command('catalog').description('the controls catalog (controls/*.yaml)');
  catalog
    .command('validate [dir]')
    .description('check the catalog files (no database needed); prints every problem as file:line: message')
    .action((dir: string | undefined) => {
      const result = catalogValidateCommand(resolve(dir ?? loadConfig().controlsDir));
      process.stdout.write(result.output + '\n');
      setExit(result.exitCode);
    });
  catalog
    .command('sync')
    .description('sync the catalog into the database (the server also does this at start)')
    .action(async () => setExit(await withContext(catalogSyncCommand, { identity: true })));
  catalog
    .command('coverage')
    .description('requirements covered by controls, per framework')
    .option('--framework <key>', 'one framework')
    .option('--json', 'print JSON')
    .action(async (opts: { framework?: string; json?: boolean }) =>
      setExit(await withContext((ctx) => catalogCoverageCommand(ctx, opts.framework, !!opts.json), { identity: true })),
    );
  catalog
    .command('export')
    .description("export a framework's catalog and the controls implementing it")
    .requiredOption('--framework <key>', 'framework key, e.g. soc2')
    .requiredOption('--format <format>', 'oscal (catalog + component definition) or csv')
    .requiredOption('--out <file>', 'file to write')
    .action(async (opts: { framework: string; format: string; out: string }) =>
      setExit(await withContext((ctx) => catalogExportCommand(ctx, opts), { identity: true })),
    );
}

/** sweep open, close; dsr drill; incident list; release check. */
function addSweepAndDsrCommands(program: Command, setExit: SetExit): void {
  const sweep = program.command('sweep').description('weekly evidence sweeps');
  sweep
    .command('open')
    .description("open a week's sweep (the server does it on SWEEP_CRON); idempotent")
    .option('--week <week>', 'ISO week, e.g. 2026-W48 (default: this week in TZ_COMPLIANCE)')
    .option('--json', 'print { week, created, tasks }')
    .action(async (opts: { week?: string; json?: boolean }) =>
      setExit(await withContext((ctx) => sweepOpenCommand(ctx, opts.week, !!opts.json), { identity: true })),
    );
  sweep
    .command('close')
    .description("close a week's sweep and store its summary as evidence")
    .option('--week <week>', 'ISO week (default: this week)')
    .option('--json', 'print JSON')
    .action(async (opts: { week?: string; json?: boolean }) =>
      setExit(await withContext((ctx) => sweepCloseCommand(ctx, opts.week, !!opts.json), { identity: true })),
    );

  const dsr = program.command('dsr').description('PDPA data subject requests');
  dsr
    .command('drill')
    .description('run a DSR drill now: seed a synthetic subject, export, erase, check residue; exit 1 when it fails')
    .option('--json', 'print { passed, exportComplete, residue, durationMs, systems, failures }')
    .action(async (opts: { json?: boolean }) =>
      setExit(await withContext((ctx) => dsrDrillCommand(ctx, !!opts.json), { identity: true })),
    );

  const incident = program.command('incident').description('the incident register');
  incident
    .command('list')
    .description('list incidents, newest awareness first, with the next clock (no names)')
    .option('--open', 'only incidents not closed')
    .option('--json', 'print the list items as JSON (as GET /api/incidents, without people)')
    .action(async (opts: { open?: boolean; json?: boolean }) =>
      setExit(await withContext((ctx) => incidentListCommand(ctx, opts), { identity: true })),
    );

  const release = program.command('release').description('releases and their gates');
  release
    .command('check')
    .description('may this version go out? exit 0 when approved, 1 with the missing gates listed')
    .requiredOption('--product <key>', 'a product of controls/release-gates.yaml')
    .requiredOption('--version <version>', 'the release version')
    .option('--url <url>', 'ask a running server instead of the database (API token in ATTEST_TOKEN)')
    .option('--json', 'print { approved, missing }')
    .action(async (opts: { product: string; version: string; url?: string; json?: boolean }) =>
      setExit(
        opts.url
          ? printed(await releaseCheckOverHttp({ ...opts, url: opts.url, token: process.env.ATTEST_TOKEN }))
          : await withContext((ctx) => releaseCheckCommand(ctx, opts), { identity: true }),
      ),
    );
}

/** documents import, export. */
function addDocumentCommands(program: Command, setExit: SetExit): void {
  const documents = program.command('documents').description('controlled documents (policies as code)');
  documents
    .command('import')
    .description(
      'bring DIR/*.md (front matter + Markdown) into the documents, all or nothing; changed text becomes a draft',
    )
    .argument('<dir>', 'folder of policy files, e.g. policies')
    .action(async (dir: string) =>
      setExit(await withContext((ctx) => documentsImportCommand(ctx, dir), { identity: true })),
    );
  documents
    .command('export')
    .description("write each document's version in force (else its newest) to DIR/<key>.md")
    .argument('<dir>', 'folder to write')
    .action(async (dir: string) =>
      setExit(await withContext((ctx) => documentsExportCommand(ctx, dir), { identity: true })),
    );
}

/** user create, token create. */
function addIdentityCommands(program: Command, setExit: SetExit): void {
  const user = program.command('user').description('users');
  user
    .command('create')
    .description('create a user and print a one-time password (shown once)')
    .requiredOption('--email <email>', 'e-mail address (sign-in name)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--department <key>', 'department key from controls/departments.yaml')
    .option('--name <name>', 'display name (default: the part of the e-mail before @)')
    .action(async (opts: UserCreateOptions) =>
      setExit(await withContext((ctx) => userCreateCommand(ctx, opts), { identity: true })),
    );

  const token = program.command('token').description('API tokens for automation');
  token
    .command('create')
    .description('create an API token for a user and print it (shown once)')
    .requiredOption('--email <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for, e.g. "CI evidence upload"')
    .option('--days <n>', `days until it expires (1-${MAX_TOKEN_DAYS}, default 90)`)
    .action(async (opts: TokenCreateOptions) =>
      setExit(await withContext((ctx) => tokenCreateCommand(ctx, opts), { identity: true })),
    );
}

/** trail verify, checkpoint. */
function addTrailCommands(program: Command, setExit: SetExit): void {
  const trail = program
    .command('trail')
    .description('the audit trail: verify the hash chain and signed checkpoints, write a checkpoint');
  trail
    .command('verify')
    .description(
      'recompute the hash chain and check every signed checkpoint (exit 1 when broken, naming the first broken seq)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) =>
      setExit(await withContext((ctx) => trailVerifyCommand(ctx, !!opts.json))),
    );
  trail
    .command('checkpoint')
    .description('sign the current head of the audit trail and write it as a checkpoint file now')
    .action(async () => setExit(await withContext(trailCheckpointCommand)));
}

/** pack build, verify. */
function addPackCommands(program: Command, setExit: SetExit): void {
  const pack = program
    .command('pack')
    .description('audit packs: a signed PDF and a ZIP of the evidence with a signed manifest');
  pack
    .command('build')
    .description(
      'build an audit pack now (joining one of the same scope that is building), printing progress to stderr, and copy its ZIP to --out',
    )
    .requiredOption('--framework <key>', 'framework key, e.g. soc2')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD (Asia/Bangkok)')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD (Asia/Bangkok)')
    .requiredOption('--out <file>', 'where to write the ZIP')
    .action(async (opts: PackBuildOptions) =>
      setExit(
        await withContext((ctx) => packBuildCommand(ctx, { ...opts, out: resolve(opts.out) }), { identity: true }),
      ),
    );
  pack
    .command('verify <zip>')
    .description(
      'check a pack ZIP (no database needed): the PDF signature, the manifest signature and every file against the manifest; exit 1 naming the first problem',
    )
    .action(async (zip: string) => {
      const result = await packVerifyCommand(resolve(zip));
      process.stdout.write(result.output + '\n');
      setExit(result.exitCode);
    });
}

/** keys generate, rotate, reencrypt. */
function addKeysCommands(program: Command, setExit: SetExit): void {
  const keys = program
    .command('keys')
    .description('shared secrets: the DSR key ring, the audit-trail signing key, the pack-signing certificate');
  keys
    .command('generate')
    .description(
      'print fresh key material for every shared secret as environment lines (no database or configuration needed)',
    )
    .option('--organisation <name>', "the pack-signing certificate's name (default: ORGANISATION_NAME)")
    .action((opts: { organisation?: string }) => {
      const organisation = (opts.organisation ?? process.env.ORGANISATION_NAME ?? '').trim() || 'Attest';
      const result = keysGenerateCommand(organisation.slice(0, 64));
      process.stdout.write(result.output + '\n');
      setExit(result.exitCode);
    });
  keys
    .command('rotate')
    .description(
      'a new current DSR key: added to the key file and older values re-encrypted now; with DSR_ENCRYPTION_KEYS, prints the new value to deploy',
    )
    .action(async () => {
      const { result, reencrypt } = keysRotateCommand(loadConfig());
      process.stdout.write(result.output + '\n');
      setExit(
        reencrypt
          ? await withContext((ctx) => keysReencryptCommand(ctx, undefined), { identity: true })
          : result.exitCode,
      );
    });
  keys
    .command('reencrypt')
    .description(
      're-encrypt DSR values still made with an older key (resumable; the server also does it every 10 minutes); exit 1 while some remain',
    )
    .option('--limit <n>', 'stop after this many values (run again to continue)')
    .action(async (opts: { limit?: string }) =>
      setExit(
        await withContext(
          (ctx) => keysReencryptCommand(ctx, opts.limit === undefined ? undefined : Number(opts.limit)),
          { identity: true },
        ),
      ),
    );
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
