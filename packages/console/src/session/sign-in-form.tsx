/** The sign-in form: paste the tenant's API key (printed by `pnpm start`) or the operator key. */
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';
import { ErrorNotice } from '../ui/notices.js';
import type { StoredSession } from './session-store.js';
import { identifyKey } from './sign-in.js';

export function SignInForm(props: { readonly failure: unknown; readonly onSignedIn: (session: StoredSession) => void }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(props.failure);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') return;
    setBusy(true);
    try {
      const identified = await identifyKey(trimmed);
      props.onSignedIn(
        identified.kind === 'tenant' ? { kind: 'tenant', key: trimmed } : { kind: 'operator', operatorKey: trimmed, tenant: null },
      );
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>{t('app.title')}</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="api-key">{t('signIn.label')}</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
          aria-describedby="api-key-help"
        />
        <p id="api-key-help" class="hint">
          {t('signIn.help')}
        </p>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? t('signIn.checking') : t('signIn.submit')}
        </button>
      </form>
      {error === null || error === undefined ? null : <ErrorNotice error={error} />}
    </main>
  );
}
