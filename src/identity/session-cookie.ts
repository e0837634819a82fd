import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

/** HttpOnly, SameSite=Lax, Secure when the request came over https (directly or via a trusted proxy). */
export function sessionCookieOptions(req: FastifyRequest, expiresAt: Date): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', expires: expiresAt };
}
