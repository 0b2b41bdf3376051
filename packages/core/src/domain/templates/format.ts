/** Locale-aware formatting of the values templates insert. */

// Building an `Intl` formatter costs far more than formatting with it, and a billing batch
// formats thousands of amounts in one locale and currency: formatters are kept per key.
const moneyFormatters = new Map<string, { readonly formatter: Intl.NumberFormat; readonly digits: number }>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const maxCachedFormatters = 256;

function cached<T>(cache: Map<string, T>, key: string, create: () => T): T {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const created = create();
  if (cache.size >= maxCachedFormatters) cache.clear();
  cache.set(key, created);
  return created;
}

/**
 * Formats an amount in minor units (cents) in a locale and currency: `123456, 'BRL', 'pt-BR'`
 * ⇒ `R$ 1.234,56`. The number of minor digits comes from the currency (JPY has none).
 * Non-breaking spaces from `Intl` are turned into plain spaces: messages are plain text.
 */
export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  const { formatter, digits } = cached(moneyFormatters, `${locale}\u0000${currency}`, () => {
    const created = new Intl.NumberFormat(locale, { style: 'currency', currency });
    return { formatter: created, digits: created.resolvedOptions().maximumFractionDigits ?? 2 };
  });
  return formatter.format(amountMinor / 10 ** digits).replace(/[\u00a0\u202f]/g, ' ');
}

/** Formats a local date `YYYY-MM-DD` in a locale (`pt-BR` ⇒ `02/03/2026`, `en` ⇒ `03/02/2026`). */
export function formatLocalDate(localDate: string, locale: string): string {
  const [year = 1970, month = 1, day = 1] = localDate.split('-').map(Number);
  const formatter = cached(
    dateFormatters,
    locale,
    () => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }),
  );
  return formatter.format(new Date(Date.UTC(year, month - 1, day)));
}
