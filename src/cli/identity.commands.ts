import type { INestApplicationContext } from '@nestjs/common';
import { ROLES, type Role, systemActor } from '../authz/actor';
import { ApiTokensService } from '../identity/api-tokens.service';
import { MAX_TOKEN_DAYS } from '../identity/dto/api-token.dto';
import { UsersService } from '../identity/users.service';
import type { CommandResult } from './commands';

export interface UserCreateOptions {
  email: string;
  role: string;
  department?: string;
  name?: string;
}

/** `attest user create`: prints the one-time password, once. */
export async function userCreateCommand(ctx: INestApplicationContext, o: UserCreateOptions): Promise<CommandResult> {
  if (!(ROLES as readonly string[]).includes(o.role))
    return { output: `--role must be one of ${ROLES.join(', ')}`, exitCode: 2 };
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(o.email)) return { output: '--email must be an e-mail address', exitCode: 2 };
  const name = o.name ?? o.email.split('@')[0];
  const { row, oneTimePassword } = await ctx
    .get(UsersService)
    .create(systemActor('cli'), { email: o.email, name, role: o.role as Role, department: o.department ?? null });
  return {
    output: [
      `Created ${row.email} (${row.role}${row.departmentKey ? `, ${row.departmentKey}` : ''}).`,
      `One-time password: ${oneTimePassword}`,
      'It is shown only now: pass it on safely; the user changes it after signing in.',
    ].join('\n'),
    exitCode: 0,
  };
}

export interface TokenCreateOptions {
  email: string;
  name: string;
  days?: string;
}

/** `attest token create`: an API token for a user (e.g. a CI pipeline's service account), printed once. */
export async function tokenCreateCommand(ctx: INestApplicationContext, o: TokenCreateOptions): Promise<CommandResult> {
  const days = o.days === undefined ? undefined : Number(o.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS))
    return { output: `--days must be a whole number from 1 to ${MAX_TOKEN_DAYS}`, exitCode: 2 };
  const user = await ctx.get(UsersService).findByEmail(o.email);
  if (!user || !user.active) return { output: `no active user with e-mail ${o.email}`, exitCode: 1 };
  const created = await ctx
    .get(ApiTokensService)
    .create(systemActor('cli'), user.id, { name: o.name, expiresInDays: days });
  return {
    output: [
      `API token for ${user.email}, expires ${created.expiresAt}:`,
      created.token,
      'It is shown only now. Use it as: Authorization: Bearer <token>',
    ].join('\n'),
    exitCode: 0,
  };
}
