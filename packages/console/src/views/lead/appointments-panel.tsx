/**
 * The lead's appointments, and booking as an operator: pick one of the free slots of the tenant's
 * calendar to book, or to move a scheduled appointment to; cancel one. Free slots are read when
 * the operator starts choosing (time moves — the sandbox clock jumps), and again after a refusal.
 */
import { useState } from 'preact/hooks';
import { unwrap, type Lead } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { useResource } from '../../ui/use-resource.js';

const slotsShown = 24;

export function AppointmentsPanel(props: { readonly lead: Lead }) {
  const { t, dateTime } = useI18n();
  const { api } = useApp();
  const leadId = props.lead.id;
  const [slot, setSlot] = useState('');
  const [choosing, setChoosing] = useState(false);
  const { busy, error, run } = useAction();
  const appointments = useResource(
    () => unwrap(api.GET('/v1/leads/{id}/appointments', { params: { path: { id: leadId } } })),
    [api, leadId],
  );
  const slots = useResource(
    () => (choosing ? unwrap(api.GET('/v1/slots', { params: { query: { limit: slotsShown } } })) : Promise.resolve(null)),
    [api, choosing],
  );
  useLiveRefresh(appointments.reload, (event) => event.name.startsWith('appointment.'));

  const act = async (action: () => Promise<unknown>) => {
    if (await run(action)) {
      setSlot('');
      setChoosing(false);
      appointments.reload();
    } else {
      slots.reload();
    }
  };
  const scheduled = appointments.value?.items.filter((appointment) => appointment.status === 'scheduled') ?? [];
  const upcoming = scheduled[0];

  return (
    <section aria-labelledby="appointments-title" class="panel">
      <h2 id="appointments-title">{t('appointments.title')}</h2>
      <Loaded resource={appointments}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="hint">{t('appointments.empty')}</p>
          ) : (
            <ul class="appointments">
              {items.map((appointment) => (
                <li key={appointment.id} data-status={appointment.status}>
                  {dateTime(appointment.start)} — {t(`appointmentStatus.${appointment.status}`)}{' '}
                  {appointment.status === 'scheduled' ? (
                    <button
                      type="button"
                      class="secondary small"
                      disabled={busy}
                      onClick={() =>
                        void act(() => unwrap(api.POST('/v1/appointments/{id}/cancel', { params: { path: { id: appointment.id } } })))
                      }
                    >
                      {t('appointments.cancel')}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {choosing ? (
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            if (slot === '') return;
            void act(() =>
              upcoming === undefined
                ? unwrap(
                    api.POST('/v1/leads/{id}/appointments', { params: { path: { id: leadId } }, body: { start: slot, actor: 'operator' } }),
                  )
                : unwrap(
                    api.POST('/v1/appointments/{id}/reschedule', {
                      params: { path: { id: upcoming.id } },
                      body: { start: slot, actor: 'operator' },
                    }),
                  ),
            );
          }}
        >
          <label>
            <span>{upcoming === undefined ? t('appointments.bookAt') : t('appointments.moveTo')}</span>
            <select
              value={slot}
              onChange={(event) => setSlot(event.currentTarget.value)}
              disabled={slots.value === undefined || slots.loading}
            >
              <option value="">{t('appointments.chooseSlot')}</option>
              {(slots.value?.items ?? []).map((free) => (
                <option key={free.start} value={free.start}>
                  {dateTime(free.start)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || slot === ''}>
            {upcoming === undefined ? t('appointments.book') : t('appointments.reschedule')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setChoosing(true)}>
          {upcoming === undefined ? t('appointments.startBooking') : t('appointments.startMoving')}
        </button>
      )}
      {slots.error === undefined ? null : <ErrorNotice error={slots.error} />}
      {error === null ? null : <ErrorNotice error={error} />}
    </section>
  );
}
