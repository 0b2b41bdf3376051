/**
 * Finds the template for a message: the tenant's own for the key, then the tenant's generic one
 * for the kind, then the built-in — each tried for the exact locale, its language, and English.
 */
import { NotFoundError } from '../../errors/index.js';
import type { TemplateVariation } from '../model/template.js';
import type { TemplateRepository } from '../../ports/repositories/repositories.js';
import { builtinTemplates } from './template-catalog.js';
import { chooseVariation, renderTemplate } from './template-engine.js';

export interface ResolvedTemplate {
  readonly key: string;
  readonly locale: string;
  readonly source: 'tenant' | 'builtin';
  readonly variations: readonly TemplateVariation[];
}

/** Locales to try, most specific first: `pt-BR` ⇒ `pt-BR`, `pt`, `en`. */
export function localeFallbacks(locale: string): string[] {
  const language = locale.split('-')[0] ?? locale;
  return [...new Set([locale, language, language === 'pt' ? 'pt-BR' : 'en', 'en'])];
}

export async function resolveTemplate(input: {
  readonly templates: TemplateRepository;
  readonly tenantId: string;
  /** The specific key (`billing_d-3`, `reminder_24h`). */
  readonly key: string;
  /** The generic key of the kind, tried after `key` (`billing_step`). */
  readonly fallbackKey?: string | undefined;
  readonly locale: string;
}): Promise<ResolvedTemplate> {
  const keys = [...new Set([input.key, input.fallbackKey].filter((key): key is string => key !== undefined))];
  const locales = localeFallbacks(input.locale);
  for (const key of keys) {
    for (const locale of locales) {
      const stored = await input.templates.get(input.tenantId, key, locale);
      if (stored && stored.variations.some((variation) => variation.active)) {
        return { key, locale, source: 'tenant', variations: stored.variations };
      }
    }
  }
  for (const key of keys) {
    for (const locale of locales) {
      const builtin = builtinTemplates[key]?.[locale];
      if (builtin) return { key, locale, source: 'builtin', variations: [{ id: 'default', body: builtin.body, weight: 1, active: true }] };
    }
  }
  throw new NotFoundError('template', `${keys.join(' or ')} (${input.locale})`);
}

/** Picks the variation for `seed` and renders it. */
export function renderResolved(
  template: ResolvedTemplate,
  seed: string,
  variables: Readonly<Record<string, string>>,
): { readonly text: string; readonly variationId: string } {
  const variation = chooseVariation(template.variations, seed);
  if (!variation) throw new NotFoundError('template variation', `${template.key} (${template.locale})`);
  return { text: renderTemplate(variation.body, variables), variationId: variation.id };
}
