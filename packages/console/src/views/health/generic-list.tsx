/**
 * What an endpoint the console's API types do not know yet answers (it appeared in the server's
 * document after the console was generated): the plain fields of each item of a list, or of the
 * one object, as the server sends them. Regenerating the API types lets a view replace it with a
 * typed rendering.
 */
import { useApp } from '../../app-context.js';
import { ApiProblem, type ProblemBody } from '../../api/client.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { useResource } from '../../ui/use-resource.js';

type Item = Readonly<Record<string, unknown>>;

export function GenericList(props: { readonly path: `/v1/${string}` }) {
  const { t } = useI18n();
  const { key } = useApp();
  const list = useResource(async (): Promise<Item[]> => {
    const response = await fetch(props.path, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json().catch(() => undefined)) as (ProblemBody & { readonly items?: unknown }) | undefined;
    if (!response.ok) throw new ApiProblem(response.status, body);
    if (body === undefined) return [];
    return Array.isArray(body.items) ? (body.items as Item[]) : [body as Item];
  }, [key, props.path]);
  return (
    <Loaded resource={list}>
      {(items) =>
        items.length === 0 ? (
          <p class="hint">{t('common.none')}</p>
        ) : (
          <ul class="generic-list">
            {items.map((item, index) => (
              <li key={index}>
                {Object.entries(item)
                  .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
                  .map(([name, value]) => `${name}: ${String(value)}`)
                  .join(' · ')}
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}
