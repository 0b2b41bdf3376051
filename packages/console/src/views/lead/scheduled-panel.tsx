/**
 * The lead's scheduled messages (follow-ups, reminders), by due time, each with the server's
 * explanation of why it is due when it is (`GET /v1/scheduled-messages/{id}/explain`, times in
 * the tenant's zone).
 */
import { unwrap, type ScheduledMessage } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { useResource } from '../../ui/use-resource.js';
import { concernsLead } from './lead-view.js';

interface Explained {
  readonly message: ScheduledMessage;
  readonly lines: readonly string[];
}

export function ScheduledPanel(props: { readonly leadId: string }) {
  const { t, dateTime } = useI18n();
  const { api } = useApp();
  const scheduled = useResource(async (): Promise<Explained[]> => {
    const list = await unwrap(api.GET('/v1/leads/{id}/scheduled-messages', { params: { path: { id: props.leadId } } }));
    return Promise.all(
      list.items.map(async (message) => {
        const explained = await unwrap(api.GET('/v1/scheduled-messages/{id}/explain', { params: { path: { id: message.id } } }));
        return { message, lines: explained.lines };
      }),
    );
  }, [api, props.leadId]);
  useLiveRefresh(scheduled.reload, (event) => concernsLead(event, props.leadId));

  return (
    <section aria-labelledby="scheduled-title" class="panel">
      <h2 id="scheduled-title">{t('scheduled.title')}</h2>
      <Loaded resource={scheduled}>
        {(explained) =>
          explained.length === 0 ? (
            <p class="hint">{t('scheduled.empty')}</p>
          ) : (
            <ol class="scheduled">
              {explained.map(({ message, lines }) => (
                <li key={message.id} data-kind={message.kind} data-status={message.status}>
                  <p>
                    <strong>{t(`kind.${message.kind}`)}</strong> —{' '}
                    <span class={`status status-${message.status}`}>{t(`scheduledStatus.${message.status}`)}</span>
                  </p>
                  <p class="hint">
                    {message.sentAt === null
                      ? t('scheduled.due', { when: dateTime(message.dueAt) })
                      : t('scheduled.sentAt', { when: dateTime(message.sentAt) })}
                    {message.skipReason === null ? '' : ` · ${t(`skipReason.${message.skipReason}`)}`}
                    {message.cancelReason === null ? '' : ` · ${t('scheduled.cancelled', { reason: message.cancelReason })}`}
                  </p>
                  <details open={message.status === 'pending' || message.status === 'sent'}>
                    <summary>{t('scheduled.why')}</summary>
                    <ul class="why">
                      {lines.map((line, index) => (
                        <li key={index}>{line}</li>
                      ))}
                    </ul>
                  </details>
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </section>
  );
}
