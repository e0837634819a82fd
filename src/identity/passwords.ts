import { hash, verify } from '@node-rs/argon2';

// argon2id with the library defaults (m=19 MiB, t=2, p=1: OWASP's minimum recommendation).
// @node-rs/argon2 ships prebuilt binaries per platform: no install script, no compiler needed.

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// A real argon2id hash of a random string: verifying against it costs what a real check costs, so a
// login for an unknown e-mail takes as long as one with a wrong password (no user enumeration by timing).
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$OvmpZFe5g4xUJuVRScv9nw$7+8Cl/eN44VNYMUQo/HpUYefXe35Q1V+dNFQlc9f32k';

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? DUMMY_HASH, password);
  } catch {
    return false;
  }
}
