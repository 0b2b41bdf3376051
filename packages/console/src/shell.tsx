/** The signed-in page: the header (tenant, language, live state, sign out), the navigation and the views. */
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { useApp } from './app-context.js';
import { locales, useI18n, type Locale, type MessageKey } from './i18n/i18n.js';
import { BillingView } from './views/billing/billing-view.js';
import { BoardView } from './views/board/board-view.js';
import { CalendarView } from './views/calendar/calendar-view.js';
import { HealthView } from './views/health/health-view.js';
import { LeadView } from './views/lead/lead-view.js';
import { SandboxView } from './views/sandbox/sandbox-view.js';

/** The console's base path, as the server serves it. */
export const basePath = '/console';

const sections: readonly { readonly path: string; readonly label: MessageKey }[] = [
  { path: `${basePath}/board`, label: 'nav.board' },
  { path: `${basePath}/sandbox`, label: 'nav.sandbox' },
  { path: `${basePath}/calendar`, label: 'nav.calendar' },
  { path: `${basePath}/billing`, label: 'nav.billing' },
  { path: `${basePath}/health`, label: 'nav.health' },
];

const liveLabels = {
  connecting: 'live.connecting',
  live: 'live.live',
  reconnecting: 'live.reconnecting',
  refused: 'live.refused',
} as const satisfies Record<string, MessageKey>;

function Navigation() {
  const { t } = useI18n();
  const { path } = useLocation();
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        {sections.map((section) => (
          <li key={section.path}>
            <a href={section.path} aria-current={path.startsWith(section.path) ? 'page' : undefined}>
              {t(section.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Home() {
  const { route } = useLocation();
  useEffect(() => route(`${basePath}/board`, true), [route]);
  return null;
}

export function Shell(props: {
  readonly operator: boolean;
  readonly locale: Locale;
  readonly onLocale: (locale: Locale) => void;
  readonly onSwitchTenant: () => void;
  readonly onSignOut: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { tenant, liveState } = useApp();
  return (
    <LocationProvider scope={basePath}>
      <header class="top">
        <p class="brand">{t('app.title')}</p>
        <p class="tenant">
          <span class="hint">{props.operator ? t('app.operatorViewing') : t('app.tenant')}</span> <strong>{tenant.name}</strong>
        </p>
        <p class={`live live-${liveState}`} role="status">
          {t(liveLabels[liveState])}
        </p>
        <label class="locale">
          <span>{t('app.language')}</span>
          <select value={props.locale} onChange={(event) => props.onLocale(event.currentTarget.value as Locale)}>
            {locales.map((locale) => (
              <option key={locale} value={locale}>
                {locale === 'en' ? 'English' : 'Português (Brasil)'}
              </option>
            ))}
          </select>
        </label>
        {props.operator ? (
          <button type="button" class="secondary" onClick={props.onSwitchTenant}>
            {t('app.switchTenant')}
          </button>
        ) : null}
        <button type="button" class="secondary" onClick={() => void props.onSignOut()}>
          {t('app.signOut')}
        </button>
      </header>
      <Navigation />
      <main id="main">
        <Router>
          <Route path={`${basePath}/board`} component={BoardView} />
          <Route path={`${basePath}/leads/:id`} component={LeadView} />
          <Route path={`${basePath}/calendar`} component={CalendarView} />
          <Route path={`${basePath}/billing`} component={BillingView} />
          <Route path={`${basePath}/health`} component={HealthView} />
          <Route path={`${basePath}/sandbox`} component={SandboxView} />
          <Route default component={Home} />
        </Router>
      </main>
    </LocationProvider>
  );
}
