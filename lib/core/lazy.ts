/** A value made on first use, then kept: module start-up pays only for what a command uses (e.g. compiling a JSON schema). */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
