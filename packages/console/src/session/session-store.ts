/**
 * The signed-in session, kept in `sessionStorage`: it lasts as long as the browser tab and is
 * never written anywhere else (no cookie, no `localStorage`, never in a URL).
 *
 * A tenant key is used as it is. The operator key manages tenants but is not a tenant key: to
 * look at a tenant, the console issues the tenant an API key named `console session` with the
 * operator key, uses it while that tenant is shown, and revokes it when the operator switches
 * tenant or signs out.
 */

/** What the tab remembers. */
export type StoredSession =
  | { readonly kind: 'tenant'; readonly key: string }
  | {
      readonly kind: 'operator';
      readonly operatorKey: string;
      /** The tenant shown, with the key issued for this session; `null` until one is chosen. */
      readonly tenant: { readonly id: string; readonly key: string; readonly keyId: string } | null;
    };

const storageKey = 'sdr.console.session';

/** The session of this tab, if any. */
export function loadSession(): StoredSession | null {
  const text = sessionStorage.getItem(storageKey);
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    const kind = typeof parsed === 'object' && parsed !== null && 'kind' in parsed ? parsed.kind : undefined;
    return kind === 'tenant' || kind === 'operator' ? (parsed as StoredSession) : null;
  } catch {
    return null;
  }
}

/** Remembers `session` for this tab; `null` forgets it. */
export function saveSession(session: StoredSession | null): void {
  if (session === null) sessionStorage.removeItem(storageKey);
  else sessionStorage.setItem(storageKey, JSON.stringify(session));
}

/** The name of the keys the console issues to operators. */
export const consoleSessionKeyName = 'console session';

/** The language chosen in this browser (a preference, not a secret). */
export const localeStorageKey = 'sdr.console.locale';
