// Secrets handed to people (session cookies, API tokens, one-time passwords) and how they are stored.
// Pure: no Nest, no TypeORM.
import { createHash, randomBytes, randomInt } from 'node:crypto';

export const API_TOKEN_PREFIX = 'atk_';

/** SHA-256 hex: enough for 256-bit random tokens (no dictionary to attack), and indexable for lookup. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeApiToken(value: string): boolean {
  return /^atk_[A-Za-z0-9_-]{43}$/.test(value);
}

/** The part of a token shown in lists: enough to tell tokens apart, useless to an attacker. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}

// No look-alike characters (0/O, 1/l/I), so a password read off a terminal is typed right.
const READABLE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password: 4 groups of 5 readable characters (~117 bits). */
export function newOneTimePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 5; i++) s += READABLE[randomInt(READABLE.length)];
    groups.push(s);
  }
  return groups.join('-');
}

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Why a new password is not acceptable, or null. Length over composition rules (NIST SP 800-63B). */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.toLowerCase() === email.toLowerCase()) return 'must not be the e-mail address';
  if (/^(.)\1*$/.test(password)) return 'must not be one repeated character';
  return null;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
