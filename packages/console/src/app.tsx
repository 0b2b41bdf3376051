/**
 * The console: signed out, the sign-in form; the operator without a tenant, the tenant picker;
 * otherwise the shell with the views, the tenant's API client and its live events.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { loadCapabilities, type Capabilities } from './api/capabilities.js';
import { createApiClient, getTenant, type Tenant } from './api/client.js';
import { openLiveEvents, type LiveEvent, type LiveState } from './api/live-events.js';
import { AppContext, type AppContextValue } from './app-context.js';
import { I18nContext, createI18n, initialLocale, type Locale } from './i18n/i18n.js';
import { SignInForm } from './session/sign-in-form.js';
import { TenantPicker } from './session/tenant-picker.js';
import { localeStorageKey, loadSession, saveSession, type StoredSession } from './session/session-store.js';
import { openTenantAsOperator, revokeTenantKey } from './session/sign-in.js';
import { Shell } from './shell.js';
import { ErrorNotice, Loading } from './ui/notices.js';

/** The key the views use: the tenant key, or the one issued to the operator for the tenant shown. */
function tenantKeyOf(session: StoredSession | null): string | null {
  if (session === null) return null;
  return session.kind === 'tenant' ? session.key : (session.tenant?.key ?? null);
}

export function App() {
  const [session, setSession] = useState<StoredSession | null>(loadSession);
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [capabilities, setCapabilities] = useState<Capabilities | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [locale, setLocale] = useState<Locale>(() => initialLocale(undefined, localStorage.getItem(localeStorageKey)));
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [picking, setPicking] = useState(false);
  const listeners = useMemo(() => new Set<(event: LiveEvent) => void>(), []);

  const key = tenantKeyOf(session);
  const api = useMemo(() => (key === null ? null : createApiClient(key)), [key]);

  const remember = useCallback((next: StoredSession | null) => {
    saveSession(next);
    setSession(next);
    setTenant(null);
    setFailure(null);
  }, []);

  useEffect(() => {
    loadCapabilities().then(setCapabilities, setFailure);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    if (api === null) return;
    getTenant(api).then(
      (loaded) => {
        setTenant(loaded);
        setLocale(initialLocale(loaded.locale, localStorage.getItem(localeStorageKey)));
      },
      (error: unknown) => {
        // A key revoked or deleted meanwhile: back to the sign-in form, with the reason.
        saveSession(null);
        setSession(null);
        setFailure(error);
      },
    );
  }, [api]);

  useEffect(() => {
    if (key === null) return;
    return openLiveEvents({ key, onState: setLiveState, onEvent: (event) => listeners.forEach((listener) => listener(event)) });
  }, [key, listeners]);

  const i18n = useMemo(() => createI18n(locale, tenant?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone), [locale, tenant]);
  const chooseLocale = (next: Locale) => {
    localStorage.setItem(localeStorageKey, next);
    setLocale(next);
  };

  const signOut = async () => {
    if (session?.kind === 'operator' && session.tenant !== null)
      await revokeTenantKey(session.operatorKey, session.tenant).catch(() => undefined);
    remember(null);
  };
  const pickTenant = async (tenantId: string) => {
    if (session?.kind !== 'operator') return;
    try {
      const opened = await openTenantAsOperator({ operatorKey: session.operatorKey, tenantId, previous: session.tenant, now: new Date() });
      setPicking(false);
      remember({ ...session, tenant: opened });
    } catch (error) {
      setFailure(error);
    }
  };

  const context: AppContextValue | null = useMemo(
    () =>
      api === null || key === null || tenant === null || capabilities === null
        ? null
        : {
            api,
            key,
            tenant,
            capabilities,
            liveState,
            onLiveEvent: (listener) => {
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
          },
    [api, key, tenant, capabilities, liveState, listeners],
  );

  let page;
  if (session === null) page = <SignInForm failure={failure} onSignedIn={remember} />;
  else if (session.kind === 'operator' && (session.tenant === null || picking || failure !== null))
    page = (
      <TenantPicker
        operatorKey={session.operatorKey}
        current={session.tenant?.id ?? null}
        failure={failure}
        onPick={pickTenant}
        onSignOut={signOut}
      />
    );
  else if (context === null) page = failure === null ? <Loading /> : <ErrorNotice error={failure} />;
  else
    page = (
      <AppContext.Provider value={context}>
        <Shell
          operator={session.kind === 'operator'}
          locale={locale}
          onLocale={chooseLocale}
          onSwitchTenant={() => setPicking(true)}
          onSignOut={signOut}
        />
      </AppContext.Provider>
    );
  return <I18nContext.Provider value={i18n}>{page}</I18nContext.Provider>;
}
