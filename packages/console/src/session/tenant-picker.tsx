/** The operator's tenant switcher: every tenant of the server, to look at one. */
import { useMemo, useState } from 'preact/hooks';
import { createApiClient, unwrap } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorNotice, Loading } from '../ui/notices.js';
import { useResource } from '../ui/use-resource.js';

export function TenantPicker(props: {
  readonly operatorKey: string;
  readonly current: string | null;
  readonly failure: unknown;
  readonly onPick: (tenantId: string) => Promise<void>;
  readonly onSignOut: () => Promise<void>;
}) {
  const { t } = useI18n();
  const operator = useMemo(() => createApiClient(props.operatorKey), [props.operatorKey]);
  const tenants = useResource(() => unwrap(operator.GET('/v1/tenants', { params: { query: { limit: 500 } } })), [operator]);
  const [busy, setBusy] = useState<string | null>(null);

  return (
    <main class="tenant-picker">
      <h1>{t('operator.title')}</h1>
      <p>{t('operator.help')}</p>
      {props.failure === null ? null : <ErrorNotice error={props.failure} />}
      {tenants.error === undefined ? null : <ErrorNotice error={tenants.error} />}
      {tenants.value === undefined ? (
        <Loading />
      ) : (
        <ul class="tenant-list">
          {tenants.value.items.map((tenant) => (
            <li key={tenant.id}>
              <button
                type="button"
                aria-current={tenant.id === props.current ? 'true' : undefined}
                disabled={busy !== null}
                onClick={() => {
                  setBusy(tenant.id);
                  void props.onPick(tenant.id).finally(() => setBusy(null));
                }}
              >
                {tenant.name}
              </button>{' '}
              <span class="hint">
                {tenant.timeZone} · {tenant.locale}
              </span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="secondary" onClick={() => void props.onSignOut()}>
        {t('app.signOut')}
      </button>
    </main>
  );
}
