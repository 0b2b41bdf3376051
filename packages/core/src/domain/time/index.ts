export {
  addLocalDays,
  daysBetween,
  formatLocal,
  localParts,
  minutesOf,
  toZonedIso,
  weekdayOf,
  weekdays,
  zonedInstant,
  type FormatLocalOptions,
  type Interval,
  type LocalParts,
  type Weekday,
} from './local-time.js';
export { BusinessCalendar, type BusinessCalendarConfig, type BusinessCalendarOptions, type WeeklyHours } from './business-calendar.js';
export { isQuiet, quietPeriodAt, type QuietHours } from './quiet-hours.js';
