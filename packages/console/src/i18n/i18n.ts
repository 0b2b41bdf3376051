/**
 * The console's two languages, pt-BR (the default of a tenant whose locale is Portuguese, such as
 * the demo tenant) and English. Every text a component shows comes from the catalogs
 * (`messages-en.ts`, `messages-pt-br.ts`, which must hold the same keys — the compiler checks);
 * instants are shown in the tenant's time zone with `Intl`.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey } from './messages-en.js';
import { ptBR } from './messages-pt-br.js';

export type { MessageKey } from './messages-en.js';

/** The languages of the console. */
export const locales = ['pt-BR', 'en'] as const;
export type Locale = (typeof locales)[number];

const catalogs: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, 'pt-BR': ptBR };

/** Values for `{name}` placeholders. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** Texts and formats of one language in one time zone. */
export interface I18n {
  readonly locale: Locale;
  readonly timeZone: string;
  /** The text of `key`, its `{placeholders}` filled from `values`. */
  readonly t: (key: MessageKey, values?: MessageValues) => string;
  /** An instant as date and time in the tenant's zone. */
  readonly dateTime: (instant: string | Date) => string;
  /** An instant's time of day in the tenant's zone. */
  readonly time: (instant: string | Date) => string;
  /** An instant's day (weekday, day, month) in the tenant's zone. */
  readonly day: (instant: string | Date) => string;
  /** An amount in minor units. */
  readonly money: (amountMinor: number, currency: string) => string;
  /** A duration in seconds, for people ("3 min", "2 h"). */
  readonly duration: (seconds: number) => string;
}

function fill(text: string, values: MessageValues | undefined): string {
  if (values === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    return value === undefined ? placeholder : String(value);
  });
}

/** The I18n of `locale` in `timeZone`. */
export function createI18n(locale: Locale, timeZone: string): I18n {
  const catalog = catalogs[locale];
  const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...options });
  const dateTime = format({ dateStyle: 'short', timeStyle: 'short' });
  const time = format({ hour: '2-digit', minute: '2-digit' });
  const day = format({ weekday: 'short', day: 'numeric', month: 'short' });
  const toDate = (instant: string | Date) => (instant instanceof Date ? instant : new Date(instant));
  return {
    locale,
    timeZone,
    t: (key, values) => fill(catalog[key], values),
    dateTime: (instant) => dateTime.format(toDate(instant)),
    time: (instant) => time.format(toDate(instant)),
    day: (instant) => day.format(toDate(instant)),
    money: (amountMinor, currency) => {
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amountMinor / 100);
      } catch {
        return `${(amountMinor / 100).toFixed(2)} ${currency}`;
      }
    },
    duration: (seconds) => {
      const units: [number, Intl.RelativeTimeFormatUnit][] = [
        [86_400, 'day'],
        [3_600, 'hour'],
        [60, 'minute'],
      ];
      const [size, unit] = units.find(([unitSeconds]) => seconds >= unitSeconds) ?? [1, 'second'];
      return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 0 }).format(seconds / size);
    },
  };
}

/** The language to start with: the one chosen before in this browser, else the tenant's. */
export function initialLocale(tenantLocale: string | undefined, stored: string | null): Locale {
  if (stored === 'en' || stored === 'pt-BR') return stored;
  return tenantLocale?.toLowerCase().startsWith('en') === true ? 'en' : 'pt-BR';
}

/** The I18n of the page. */
export const I18nContext = createContext<I18n>(createI18n('pt-BR', 'America/Sao_Paulo'));

/** The I18n of the page. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
