/**
 * The calendar: a week of the tenant's appointments (with their leads) and of the free slots its
 * availability offers, day by day in the tenant's time zone.
 */
import { useState } from 'preact/hooks';
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { basePath } from '../../shell.js';
import { ErrorNotice, Loading } from '../../ui/notices.js';
import { useResource } from '../../ui/use-resource.js';
import { shiftWeeks, weekFrom } from './week.js';

const slotsPerDayShown = 8;

export function CalendarView() {
  const { t, time, day } = useI18n();
  const { api, tenant } = useApp();
  const [weeks, setWeeks] = useState(0);

  const week = useResource(async () => {
    const status = await unwrap(api.GET('/v1/status'));
    const days = weekFrom(shiftWeeks(new Date(status.now), weeks), tenant.timeZone);
    const from = days[0]?.start.toISOString() ?? status.now;
    const to = days[days.length - 1]?.end.toISOString() ?? status.now;
    const [appointments, slots, leads] = await Promise.all([
      unwrap(api.GET('/v1/appointments', { params: { query: { from, to } } })),
      unwrap(api.GET('/v1/slots', { params: { query: { from, to, limit: 500 } } })),
      unwrap(api.GET('/v1/leads', { params: { query: { limit: 500 } } })),
    ]);
    const names = new Map(leads.items.map((lead) => [lead.id, lead.name ?? lead.phone]));
    return { days, appointments: appointments.items, slots: slots.items, names };
  }, [api, tenant.timeZone, weeks]);
  useLiveRefresh(week.reload, (event) => event.name.startsWith('appointment.'));

  if (week.value === undefined) return week.error === undefined ? <Loading /> : <ErrorNotice error={week.error} />;
  const { days, appointments, slots, names } = week.value;
  const within = (instant: string, range: { start: Date; end: Date }) => {
    const at = new Date(instant).getTime();
    return at >= range.start.getTime() && at < range.end.getTime();
  };
  return (
    <section aria-labelledby="calendar-title">
      <h1 id="calendar-title">{t('calendar.title')}</h1>
      <p class="hint">{t('calendar.help', { zone: tenant.timeZone })}</p>
      <p class="inline">
        <button type="button" class="secondary" onClick={() => setWeeks(weeks - 1)}>
          {t('calendar.previous')}
        </button>
        <button type="button" class="secondary" onClick={() => setWeeks(0)} disabled={weeks === 0}>
          {t('calendar.current')}
        </button>
        <button type="button" class="secondary" onClick={() => setWeeks(weeks + 1)}>
          {t('calendar.next')}
        </button>
      </p>
      {week.error === undefined ? null : <ErrorNotice error={week.error} />}
      <div class="week">
        {days.map((range) => {
          const booked = appointments.filter((appointment) => within(appointment.start, range));
          const free = slots.filter((slot) => within(slot.start, range));
          const titleId = `day-${range.start.getTime()}`;
          return (
            <section key={titleId} class="day" aria-labelledby={titleId}>
              <h2 id={titleId}>{day(range.start)}</h2>
              <h3>{t('calendar.appointments', { count: booked.length })}</h3>
              <ul class="day-appointments">
                {booked.map((appointment) => (
                  <li key={appointment.id}>
                    {time(appointment.start)}–{time(appointment.end)}{' '}
                    <a href={`${basePath}/leads/${appointment.leadId}`}>{names.get(appointment.leadId) ?? t('calendar.unknownLead')}</a>
                  </li>
                ))}
              </ul>
              <h3>{t('calendar.freeSlots', { count: free.length })}</h3>
              <ul class="day-slots">
                {free.slice(0, slotsPerDayShown).map((slot) => (
                  <li key={slot.start}>{time(slot.start)}</li>
                ))}
                {free.length > slotsPerDayShown ? <li>{t('calendar.more', { count: free.length - slotsPerDayShown })}</li> : null}
              </ul>
            </section>
          );
        })}
      </div>
    </section>
  );
}
