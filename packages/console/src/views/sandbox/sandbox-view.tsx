/**
 * The sandbox (the embedded default): the whole follow-up story in the browser. Write to the
 * tenant as a lead on the sandbox WhatsApp, answer as the team, move the sandbox clock past the
 * 30 minutes of silence, and watch what the sandbox channel sends.
 */
import { useState } from 'preact/hooks';
import { endpoints } from '../../api/capabilities.js';
import { unwrap } from '../../api/client.js';
import { useApp } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { basePath } from '../../shell.js';
import { ErrorNotice, Unavailable } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { ConversationPanel } from '../lead/conversation-panel.js';
import { SandboxChannel } from './sandbox-channel.js';
import { SandboxClock } from './sandbox-clock.js';

const leadStorageKey = 'sdr.console.sandbox.lead';

export function SandboxView() {
  const { t } = useI18n();
  const { api, capabilities } = useApp();
  const [phone, setPhone] = useState('+55 11 98765-4321');
  const [name, setName] = useState('Ana');
  const [text, setText] = useState('');
  const [leadId, setLeadId] = useState<string | null>(() => sessionStorage.getItem(leadStorageKey));
  const { busy, error, run } = useAction();

  if (!capabilities.has(endpoints.sandbox)) {
    return (
      <section aria-labelledby="sandbox-title">
        <h1 id="sandbox-title">{t('sandbox.title')}</h1>
        <Unavailable what={t('sandbox.what')} endpoint={endpoints.sandbox} />
      </section>
    );
  }

  const write = async (event: Event) => {
    event.preventDefault();
    const body = { from: phone.trim(), text: text.trim(), ...(name.trim() === '' ? {} : { name: name.trim() }) };
    await run(async () => {
      const sent = await unwrap(api.POST('/v1/sandbox/inbound', { body }));
      sessionStorage.setItem(leadStorageKey, sent.leadId);
      setLeadId(sent.leadId);
      setText('');
    });
  };

  return (
    <section aria-labelledby="sandbox-title">
      <h1 id="sandbox-title">{t('sandbox.title')}</h1>
      <ol class="story">
        <li>{t('sandbox.step1')}</li>
        <li>{t('sandbox.step2')}</li>
        <li>{t('sandbox.step3')}</li>
        <li>{t('sandbox.step4')}</li>
      </ol>
      <div class="sandbox-grid">
        <div>
          <form class="panel" onSubmit={(event) => void write(event)}>
            <h2>{t('sandbox.asLead')}</h2>
            <label>
              <span>{t('sandbox.phone')}</span>
              <input type="tel" value={phone} onInput={(event) => setPhone(event.currentTarget.value)} />
            </label>
            <label>
              <span>{t('sandbox.name')}</span>
              <input type="text" value={name} onInput={(event) => setName(event.currentTarget.value)} />
            </label>
            <label>
              <span>{t('sandbox.text')}</span>
              <textarea rows={2} value={text} onInput={(event) => setText(event.currentTarget.value)} />
            </label>
            <button type="submit" disabled={busy || text.trim() === '' || phone.trim() === ''}>
              {t('sandbox.send')}
            </button>
            {error === null ? null : <ErrorNotice error={error} />}
          </form>
          {leadId === null ? null : (
            <>
              <p>
                <a href={`${basePath}/leads/${leadId}`}>{t('sandbox.openLead')}</a>
              </p>
              <ConversationPanel leadId={leadId} />
            </>
          )}
        </div>
        <div>
          <SandboxClock />
          <SandboxChannel />
        </div>
      </div>
    </section>
  );
}
