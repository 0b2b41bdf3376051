/** What the sandbox WhatsApp channel sent for this tenant, newest first, as it happens. */
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { basePath } from '../../shell.js';
import { Loaded } from '../../ui/loaded.js';
import { useResource } from '../../ui/use-resource.js';
import { kindLabel } from '../kinds.js';

export function SandboxChannel() {
  const { t, dateTime } = useI18n();
  const { api } = useApp();
  const kindName = (kind: string | null) => {
    const label = kind === null ? null : kindLabel(kind);
    return label === null ? (kind ?? t('channel.message')) : t(label);
  };
  const sent = useResource(() => unwrap(api.GET('/v1/sandbox/messages', { params: { query: { limit: 50 } } })), [api]);
  useLiveRefresh(sent.reload, (event) => event.name === 'message.sent' || event.name === 'scheduled.sent');

  return (
    <section aria-labelledby="channel-title" class="panel">
      <h2 id="channel-title">{t('channel.title')}</h2>
      <Loaded resource={sent}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="hint">{t('channel.empty')}</p>
          ) : (
            <ol class="channel">
              {items.map((message) => (
                <li key={message.providerMessageId} data-kind={message.kind ?? ''}>
                  <p class="message-meta">
                    <strong>{kindName(message.kind)}</strong> → {message.to} · {dateTime(message.acceptedAt)}
                    {message.leadId === null ? null : (
                      <>
                        {' '}
                        · <a href={`${basePath}/leads/${message.leadId}`}>{t('channel.lead')}</a>
                      </>
                    )}
                  </p>
                  <p class="message-body">{message.text}</p>
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </section>
  );
}
