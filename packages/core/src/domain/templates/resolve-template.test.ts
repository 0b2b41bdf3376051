import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../errors/index.js';
import type { Template } from '../model/template.js';
import type { TemplateRepository } from '../../ports/repositories/repositories.js';
import { localeFallbacks, renderResolved, resolveTemplate } from './resolve-template.js';

const tenantId = '00000000-0000-4000-8000-000000000001';

function repository(templates: Template[]): TemplateRepository {
  return {
    get: (tenant, key, locale) =>
      Promise.resolve(templates.find((t) => t.tenantId === tenant && t.key === key && t.locale === locale) ?? null),
    save: (template) => Promise.resolve(template),
    list: () => Promise.resolve(templates),
    delete: () => Promise.resolve(false),
  };
}

function template(key: string, locale: string, body: string, active = true): Template {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    tenantId,
    key,
    locale,
    variations: [{ id: 'v1', body, weight: 1, active }],
    variables: ['customerName'],
    createdAt: at,
    updatedAt: at,
    version: 0,
  };
}

describe('resolveTemplate', () => {
  it('prefers the tenant template for the specific key', async () => {
    const resolved = await resolveTemplate({
      templates: repository([
        template('billing_d-3', 'pt-BR', 'Específico {{customerName}}'),
        template('billing_step', 'pt-BR', 'Genérico'),
      ]),
      tenantId,
      key: 'billing_d-3',
      fallbackKey: 'billing_step',
      locale: 'pt-BR',
    });
    expect(resolved.source).toBe('tenant');
    expect(resolved.key).toBe('billing_d-3');
  });

  it('falls back to the tenant generic template, then to the built-in', async () => {
    const generic = await resolveTemplate({
      templates: repository([template('billing_step', 'pt-BR', 'Genérico')]),
      tenantId,
      key: 'billing_d0',
      fallbackKey: 'billing_step',
      locale: 'pt-BR',
    });
    expect(generic.key).toBe('billing_step');
    const builtin = await resolveTemplate({
      templates: repository([]),
      tenantId,
      key: 'billing_d0',
      fallbackKey: 'billing_step',
      locale: 'pt-BR',
    });
    expect(builtin.source).toBe('builtin');
    expect(builtin.locale).toBe('pt-BR');
  });

  it('ignores a stored template whose variations are all inactive', async () => {
    const resolved = await resolveTemplate({
      templates: repository([template('reengage_1', 'en', 'off', false)]),
      tenantId,
      key: 'reengage_1',
      locale: 'en',
    });
    expect(resolved.source).toBe('builtin');
  });

  it('falls back through language and English', async () => {
    expect(localeFallbacks('pt-PT')).toEqual(['pt-PT', 'pt', 'pt-BR', 'en']);
    expect(localeFallbacks('es-MX')).toEqual(['es-MX', 'es', 'en']);
    const resolved = await resolveTemplate({ templates: repository([]), tenantId, key: 'reminder_2h', locale: 'es-MX' });
    expect(resolved.locale).toBe('en');
  });

  it('is a NotFoundError when nothing exists for the key', async () => {
    await expect(resolveTemplate({ templates: repository([]), tenantId, key: 'nope', locale: 'en' })).rejects.toSatisfy((error) =>
      NotFoundError.isInstance(error),
    );
  });

  it('renders the chosen variation', async () => {
    const resolved = await resolveTemplate({ templates: repository([]), tenantId, key: 'reengage_1', locale: 'pt-BR' });
    const rendered = renderResolved(resolved, 'lead:1', { leadName: 'Ana' });
    expect(rendered.text).toContain('Oi Ana');
    expect(rendered.variationId).toBe('default');
  });
});
