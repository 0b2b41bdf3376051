/** How views say they are loading, failed, or depend on something this server does not offer. */
import type { ComponentChildren } from 'preact';
import { ApiProblem } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';

/** Shown while the first load of a view runs. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p class="notice" role="status">
      {t('common.loading')}
    </p>
  );
}

/** A failed request, with the server's reason. */
export function ErrorNotice(props: { readonly error: unknown }) {
  const { t } = useI18n();
  const { error } = props;
  const detail =
    error instanceof ApiProblem
      ? t('common.problem', { status: error.status, detail: error.message })
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="notice notice-error" role="alert">
      {detail}
      {error instanceof ApiProblem && error.errors.length > 0 ? (
        <ul>
          {error.errors.map((fieldError) => (
            <li key={fieldError.field}>
              <code>{fieldError.field}</code>: {fieldError.message}
            </li>
          ))}
        </ul>
      ) : null}
    </p>
  );
}

/** A part of a view whose endpoint this server does not have (yet). */
export function Unavailable(props: { readonly what: string; readonly endpoint: string; readonly children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <div class="notice notice-unavailable">
      <p>
        <strong>{t('common.unavailable', { what: props.what })}</strong>
      </p>
      <p>{t('common.unavailableDetail', { endpoint: props.endpoint })}</p>
      {props.children}
    </div>
  );
}
