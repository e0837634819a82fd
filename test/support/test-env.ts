// Shared between the Jest global setup/teardown and the test files (through environment variables,
// which the workers inherit).
export const ENV_ADMIN_URL = 'ATTEST_TEST_ADMIN_URL';
export const ENV_TEMPLATE_DB = 'ATTEST_TEST_TEMPLATE_DB';
export const ENV_THROWAWAY_DIR = 'ATTEST_TEST_THROWAWAY_DIR';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test" (Jest global setup provides it)`);
  return value;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
