import type { INestApplicationContext } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { PackBuilder } from '../audit-packs/pack-builder.service';
import { PacksService } from '../audit-packs/packs.service';
import { verifyPack } from '../audit-packs/pack-verifier';
import { systemActor } from '../authz/actor';
import type { CommandResult } from './commands';

export interface PackBuildOptions {
  framework: string;
  from: string;
  to: string;
  out: string;
}

const CLI = systemActor('cli');

/**
 * `attest pack build --framework K --from D --to D --out FILE.zip`: requests the pack (joining one of the same
 * scope already queued or building), builds it here and now (or waits for the build that holds it), printing
 * progress to stderr, then copies the ZIP to --out (a download, so it is in the audit trail).
 */
export async function packBuildCommand(
  ctx: INestApplicationContext,
  opts: PackBuildOptions,
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<CommandResult> {
  const packs = ctx.get(PacksService);
  const builder = ctx.get(PackBuilder);
  const { id, joined } = await packs.request(CLI, { framework: opts.framework, from: opts.from, to: opts.to });
  log(
    `audit pack ${id}${joined ? ' (joined the build of the same scope)' : ''}: ${opts.framework} ${opts.from}..${opts.to}`,
  );
  let last = '';
  const started = Date.now();
  const show = (p: { progress: number; stage: string | null }) => {
    const line = `  ${String(p.progress).padStart(3)}% ${p.stage ?? 'queued'}`;
    if (line === last) return;
    last = line;
    log(
      `${line.padEnd(18)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB`,
    );
  };
  let row = await builder.buildNow(id, show);
  // Another process holds the build (e.g. the server): wait for it.
  while (row && (row.status === 'queued' || row.status === 'building')) {
    show(row);
    await new Promise((r) => setTimeout(r, 1000));
    row = (await builder.buildNow(id, show)) ?? (await builder.status(id));
  }
  if (!row) return { output: `audit pack ${id} disappeared`, exitCode: 1 };
  if (row.status === 'failed')
    return { output: `audit pack ${id} failed: ${row.error ?? 'unknown error'}`, exitCode: 1 };
  const file = await packs.download(CLI, id, 'zip');
  const temp = `${opts.out}.${process.pid}.part`;
  try {
    await pipeline(file.stream, createWriteStream(temp));
    await rename(temp, opts.out);
  } finally {
    if (existsSync(temp)) await rm(temp, { force: true });
  }
  return { output: `${opts.out}: ${file.size} bytes, SHA-256 ${file.sha256} (audit pack ${id})`, exitCode: 0 };
}

/** `attest pack verify FILE.zip` (no database): `ok` and exit 0 when intact; exit 1 naming the first bad file or signature. */
export async function packVerifyCommand(file: string): Promise<CommandResult> {
  if (!existsSync(file)) return { output: `${file}: no such file`, exitCode: 1 };
  const result = await verifyPack(file);
  if (result.ok) return { output: 'ok', exitCode: 0 };
  const rest = result.problems.slice(1, 20).map((p) => `  also: ${p}`);
  const more = result.problems.length > 20 ? [`  … and ${result.problems.length - 20} more`] : [];
  return { output: [`FAILED: ${result.firstProblem}`, ...rest, ...more].join('\n'), exitCode: 1 };
}
