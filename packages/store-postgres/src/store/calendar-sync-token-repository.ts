/** PostgreSQL `CalendarSyncTokenRepository`: one row per tenant calendar, written with one upsert. */
import type { CalendarSyncTokenRepository } from '@sdr/core';
import { instant, isUuid } from './sql-values.js';
import type { StoreContext } from './store-context.js';

/** The calendar sync tokens over `context`. */
export function createCalendarSyncTokenRepository(context: StoreContext): CalendarSyncTokenRepository {
  const table = `${context.schema}.calendar_sync_tokens`;
  return {
    async get(tenantId, calendarId) {
      if (!isUuid(tenantId)) return null;
      const [row] = await context.exec.query(
        'calendarSyncTokens.get',
        `SELECT sync_token FROM ${table} WHERE tenant_id = $1 AND calendar_id = $2`,
        [tenantId, calendarId],
      );
      return row === undefined ? null : String(row['sync_token']);
    },

    async save(input) {
      if (input.syncToken === null) {
        await context.exec.write('calendarSyncTokens.forget', `DELETE FROM ${table} WHERE tenant_id = $1 AND calendar_id = $2`, [
          input.tenantId,
          input.calendarId,
        ]);
        return;
      }
      await context.exec.write(
        'calendarSyncTokens.save',
        `INSERT INTO ${table} (tenant_id, calendar_id, sync_token, updated_at) VALUES ($1, $2, $3, $4::timestamptz)
         ON CONFLICT (tenant_id, calendar_id) DO UPDATE SET sync_token = excluded.sync_token, updated_at = excluded.updated_at`,
        [input.tenantId, input.calendarId, input.syncToken, instant(input.now)],
      );
    },
  };
}
