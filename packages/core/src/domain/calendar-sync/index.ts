export {
  CalendarSyncService,
  calendarMoveConflictAlertKind,
  type CalendarSyncResult,
  type CalendarSyncServiceOptions,
} from './calendar-sync-service.js';
export { createInMemoryCalendarSyncTokens, type CalendarSyncTokenRepository } from './calendar-sync-tokens.js';
