/**
 * Where the calendar sync keeps its place: the provider's sync token, one per tenant and
 * calendar. Kept apart from the store's repositories: only the sync reads and writes it.
 */

/** The stored sync tokens; the PostgreSQL store and `createInMemoryCalendarSyncTokens` provide one. */
export interface CalendarSyncTokenRepository {
  /** The token of the last completed sync, or `null` (a full sync is next). */
  get(tenantId: string, calendarId: string): Promise<string | null>;
  /** Stores the token of a completed sync; `null` forgets it. */
  save(input: {
    readonly tenantId: string;
    readonly calendarId: string;
    readonly syncToken: string | null;
    readonly now: Date;
  }): Promise<void>;
}

/** A `CalendarSyncTokenRepository` in memory, for tests and single-process demos. */
export function createInMemoryCalendarSyncTokens(): CalendarSyncTokenRepository {
  const tokens = new Map<string, string>();
  const key = (tenantId: string, calendarId: string) => JSON.stringify([tenantId, calendarId]);
  return {
    get: (tenantId, calendarId) => Promise.resolve(tokens.get(key(tenantId, calendarId)) ?? null),
    save: (input) => {
      if (input.syncToken === null) tokens.delete(key(input.tenantId, input.calendarId));
      else tokens.set(key(input.tenantId, input.calendarId), input.syncToken);
      return Promise.resolve();
    },
  };
}
