import type { INestApplicationContext } from '@nestjs/common';
import { systemActor } from '../authz/actor';
import type { ReleaseDecision } from '../releases/domain/release-model';
import { ReleasesService } from '../releases/releases.service';
import type { CommandResult } from './commands';

export interface ReleaseCheckOptions {
  product: string;
  version: string;
  json?: boolean;
}

/** What a deploy step prints: approved, or the gates still missing with their reasons. */
export function decisionText(product: string, version: string, d: ReleaseDecision): string {
  if (d.approved) return `${product} ${version}: approved — every gate passed.`;
  return [
    `${product} ${version}: NOT approved — ${d.missing.length} gate(s) missing:`,
    ...d.missing.map((m) => `  - ${m.gate}: ${m.reason}`),
  ].join('\n');
}

function result(o: ReleaseCheckOptions, d: ReleaseDecision): CommandResult {
  return {
    output: o.json ? JSON.stringify(d) : decisionText(o.product, o.version, d),
    exitCode: d.approved ? 0 : 1,
  };
}

/**
 * `attest release check --product P --version V [--json]` on the database (as the system, audited): exit 0
 * when the release is approved, 1 with the missing gates listed (also when there is no such release).
 */
export async function releaseCheckCommand(
  ctx: INestApplicationContext,
  o: ReleaseCheckOptions,
): Promise<CommandResult> {
  return result(o, await ctx.get(ReleasesService).decision(systemActor('cli'), o.product, o.version));
}

/**
 * The same question asked of a running server (`--url`, the API token in ATTEST_TOKEN): what a deploy step
 * on a CI runner without database access uses. Exit 1 for not approved, 2 when the server cannot answer.
 */
export async function releaseCheckOverHttp(
  o: ReleaseCheckOptions & { url: string; token: string | undefined },
): Promise<CommandResult> {
  if (!o.token) return { output: 'ATTEST_TOKEN is not set: an API token is needed to ask the server.', exitCode: 2 };
  const url = new URL(
    `/api/releases/${encodeURIComponent(o.product)}/${encodeURIComponent(o.version)}/decision`,
    o.url,
  );
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' } });
  } catch (e) {
    return { output: `Cannot reach ${url.origin}: ${(e as Error).message}`, exitCode: 2 };
  }
  const body = (await response.json().catch(() => null)) as (ReleaseDecision & { detail?: string }) | null;
  if (!response.ok || !body)
    return {
      output: `${url.origin} answered ${response.status}${body?.detail ? `: ${body.detail}` : ''}`,
      exitCode: response.status === 404 ? 1 : 2,
    };
  return result(o, body);
}
