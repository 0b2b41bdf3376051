/**
 * The sandbox clock, shared by every tenant of the server: where it stands and buttons to move it
 * forward. When the server refuses (moving it may need the operator key), the reason is shown.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, unwrap } from '../../api/client.js';
import { useApp } from '../../app-context.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { ErrorNotice, Loading } from '../../ui/notices.js';
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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const advance = async (minutes: number) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/v1/sandbox/clock/advance', { body: { minutes } }));
      clock.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="clock-title" class="panel">
      <h2 id="clock-title">{t('clock.title')}</h2>
      {clock.value === undefined ? (
        clock.error === undefined ? (
          <Loading />
        ) : (
          <ErrorNotice error={clock.error} />
        )
      ) : (
        <p data-testid="sandbox-now">
          {t('clock.now', { now: dateTime(clock.value.now) })}
          {clock.value.offsetMs === 0 ? '' : ` ${t('clock.ahead', { ahead: duration(clock.value.offsetMs / 1000) })}`}
        </p>
      )}
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
