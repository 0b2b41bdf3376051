/**
 * The conversation: what the lead wrote, what the automation sent (follow-ups, reminders — the
 * messages sent for a scheduled message), and what the app's agent or a person on the team sent;
 * media as links. A person can write to the lead from here (recorded as sent by the team).
 */
import { useState } from 'preact/hooks';
import { unwrap, type Message } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { useResource } from '../../ui/use-resource.js';

function authorOf(message: Message): MessageKey {
  if (message.direction === 'inbound') return 'conversation.fromLead';
  return message.scheduledMessageId === null ? 'conversation.fromTeam' : 'conversation.fromAutomation';
}

export function ConversationPanel(props: { readonly leadId: string }) {
  const { t, dateTime } = useI18n();
  const { api } = useApp();
  const [draft, setDraft] = useState('');
  const { error, run } = useAction();
  const messages = useResource(
    () => unwrap(api.GET('/v1/leads/{id}/messages', { params: { path: { id: props.leadId }, query: { limit: 200 } } })),
    [api, props.leadId],
  );
  useLiveRefresh(messages.reload, (event) => event.data.leadId === props.leadId && event.name.startsWith('message.'));

  const send = async (event: Event) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    const body = { direction: 'outbound' as const, body: draft.trim() };
    if (await run(() => unwrap(api.POST('/v1/leads/{id}/messages', { params: { path: { id: props.leadId } }, body })))) {
      setDraft('');
      messages.reload();
    }
  };

  return (
    <section aria-labelledby="conversation-title" class="panel conversation">
      <h2 id="conversation-title">{t('conversation.title')}</h2>
      <Loaded resource={messages}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="hint">{t('conversation.empty')}</p>
          ) : (
            <ol class="messages">
              {items.map((message) => (
                <li
                  key={message.id}
                  class={`message message-${message.direction}${message.scheduledMessageId === null ? '' : ' message-automation'}`}
                >
                  <p class="message-meta">
                    <strong>{t(authorOf(message))}</strong> · {t(`channel.${message.channel}`)} ·{' '}
                    <time dateTime={message.createdAt}>{dateTime(message.createdAt)}</time>
                  </p>
                  <p class="message-body">{message.body}</p>
                  {message.media.length === 0 ? null : (
                    <ul class="media">
                      {message.media.map((media) => (
                        <li key={media.ref}>{t('conversation.media', { name: media.fileName ?? media.ref, type: media.contentType })}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
      <form class="composer" onSubmit={(event) => void send(event)}>
        <label for="composer-text">{t('conversation.composeLabel')}</label>
        <textarea id="composer-text" rows={2} value={draft} onInput={(event) => setDraft(event.currentTarget.value)} />
        <p class="hint">{t('conversation.composeHelp')}</p>
        <button type="submit" disabled={draft.trim() === ''}>
          {t('conversation.send')}
        </button>
      </form>
      {error === null ? null : <ErrorNotice error={error} />}
    </section>
  );
}
