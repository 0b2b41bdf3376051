/**
 * The sandbox clock, shared by every tenant of the server: where it stands and buttons to move it
 * forward. When the server refuses (moving it may need the operator key), the reason is shown.
 */
import { ApiProblem, unwrap } from '../../api/client.js';
import { useApp } from '../../app-context.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { useResource } from '../../ui/use-resource.js';

const moves: readonly { readonly minutes: number; readonly label: MessageKey }[] = [
  { minutes: 31, label: 'clock.plus31' },
  { minutes: 60, label: 'clock.plusHour' },
  { minutes: 24 * 60, label: 'clock.plusDay' },
];

export function SandboxClock() {
  const { t, dateTime, duration } = useI18n();
  const { api } = useApp();
  const clock = useResource(() => unwrap(api.GET('/v1/sandbox/clock')), [api]);
  const { busy, error, run } = useAction();
  const advance = async (minutes: number) => {
    if (await run(() => unwrap(api.POST('/v1/sandbox/clock/advance', { body: { minutes } })))) clock.reload();
  };

  return (
    <section aria-labelledby="clock-title" class="panel">
      <h2 id="clock-title">{t('clock.title')}</h2>
      <Loaded resource={clock}>
        {(now) => (
          <p data-testid="sandbox-now">
            {t('clock.now', { now: dateTime(now.now) })}
            {now.offsetMs === 0 ? '' : ` ${t('clock.ahead', { ahead: duration(now.offsetMs / 1000) })}`}
          </p>
        )}
      </Loaded>
      <p class="hint">{t('clock.shared')}</p>
      <p class="inline">
        {moves.map((move) => (
          <button key={move.minutes} type="button" disabled={busy} onClick={() => void advance(move.minutes)}>
            {t(move.label)}
          </button>
        ))}
      </p>
      {error instanceof ApiProblem && error.status === 403 ? (
        <p class="notice notice-error" role="alert">
          {t('clock.forbidden', { detail: error.message })}
        </p>
      ) : error === null ? null : (
        <ErrorNotice error={error} />
      )}
    </section>
  );
}
