// Heavy libraries that only some routes, jobs or commands use (PDF rendering, SBOM schema validation,
// Markdown, XML, SMTP) are loaded on first use rather than when the server starts: loading a library means
// reading and compiling its files, and most of `npm start`'s time went there (docs/performance.md, Start-up).

/**
 * The package `id`, required the first time the returned function is called (then cached by Node as
 * usual). Give its type with `typeof import('id')` so the compiler still checks every use.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose: not at start-up
  return () => (loaded ??= require(id) as T);
}

/** The value `make` answers, made on the first call (a parser built from a lazily loaded library, say). */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
