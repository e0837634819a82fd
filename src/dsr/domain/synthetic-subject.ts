import type { SubjectIdentity } from './dsr-model';

/** A synthetic subject named by a random tag, with contact details no real person holds. */
export function syntheticSubject(tag: string): SubjectIdentity {
  return {
    name: `Drill Subject ${tag}`,
    email: `drill-${tag}@drill.attest.invalid`,
    phone: `6690${String(parseInt(tag, 16) % 10_000_000).padStart(7, '0')}`,
    nationalId: syntheticNationalId(tag),
  };
}

/** A 13-digit id with a valid check digit, starting with 0 (never issued to a person). */
function syntheticNationalId(tag: string): string {
  const body = `0${String(parseInt(tag, 16)).padStart(11, '0').slice(-11)}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (13 - i);
  return `${body}${(11 - (sum % 11)) % 10}`;
}
