/** Identifiers the doubles mint (entity ids, lease owners): random UUIDs, like the real backends. */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}
