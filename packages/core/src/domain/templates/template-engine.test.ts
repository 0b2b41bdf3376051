import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { formatLocalDate, formatMoney } from './format.js';
import { allowedVariablesFor, builtinTemplates } from './template-catalog.js';
import { chooseVariation, extractVariables, renderTemplate, stableHash, validateTemplateBodies } from './template-engine.js';

describe('extractVariables', () => {
  it('lists each placeholder once, in order, tolerating inner spaces', () => {
    expect(extractVariables('Oi {{leadName}}, {{ amount }} em {{dueDate}}; {{leadName}}')).toEqual(['leadName', 'amount', 'dueDate']);
  });
});

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(renderTemplate('Oi {{leadName}}, {{ amount }}', { leadName: 'Ana', amount: 'R$ 10,00' })).toBe('Oi Ana, R$ 10,00');
  });

  it('refuses to leave a raw placeholder when a value is missing', () => {
    expect(() => renderTemplate('Oi {{leadName}} {{dueDate}}', { leadName: 'Ana' })).toThrow(/\{\{dueDate\}\}/);
    expect(() => renderTemplate('{{x}}', {})).toThrow(ValidationError);
  });

  it('never outputs {{ for any declared values (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, amount) => {
        const text = renderTemplate('A {{leadName}} B {{amount}}', {
          leadName: name.replace(/[{}]/g, ''),
          amount: amount.replace(/[{}]/g, ''),
        });
        expect(text).not.toContain('{{');
      }),
    );
  });
});

describe('validateTemplateBodies', () => {
  it('accepts declared, known variables', () => {
    expect(() =>
      validateTemplateBodies({
        variations: [{ body: 'Oi {{customerName}}, {{amount}}' }],
        declared: ['customerName', 'amount'],
        allowed: allowedVariablesFor('billing_step'),
      }),
    ).not.toThrow();
  });

  it('rejects an unknown variable, naming the variation', () => {
    expect(() =>
      validateTemplateBodies({
        variations: [{ body: 'ok' }, { body: 'Oi {{nome}}' }],
        declared: [],
        allowed: allowedVariablesFor('billing_step'),
      }),
    ).toThrow(/variations\.1\.body: uses unknown variable "nome"/);
  });

  it('rejects an undeclared variable and a malformed placeholder', () => {
    let caught: unknown;
    try {
      validateTemplateBodies({
        variations: [{ body: 'Oi {{customerName}}' }, { body: 'Oi {{ customer name }}' }],
        declared: [],
        allowed: allowedVariablesFor('billing_step'),
      });
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    const fields = (caught as ValidationError).fieldErrors.map((error) => error.field);
    expect(fields).toEqual(['variations.0.body', 'variations.1.body']);
  });

  it('rejects a declared variable the kind cannot fill', () => {
    expect(() =>
      validateTemplateBodies({ variations: [{ body: 'x' }], declared: ['pix'], allowed: allowedVariablesFor('reengage_1') }),
    ).toThrow(/variables: unknown variable "pix"/);
  });

  it('every built-in template passes validation for its kind', () => {
    for (const [key, locales] of Object.entries(builtinTemplates)) {
      for (const template of Object.values(locales)) {
        const kind = key as Parameters<typeof allowedVariablesFor>[0];
        expect(() =>
          validateTemplateBodies({
            variations: [{ body: template.body }],
            declared: template.variables,
            allowed: allowedVariablesFor(kind),
          }),
        ).not.toThrow();
      }
    }
  });
});

describe('chooseVariation', () => {
  const variations = [
    { id: 'a', weight: 1, active: true },
    { id: 'b', weight: 3, active: true },
    { id: 'off', weight: 100, active: false },
  ];

  it('is deterministic for a seed', () => {
    for (const seed of ['cycle-1:D-3', 'cycle-2:D0', 'x']) {
      expect(chooseVariation(variations, seed)?.id).toBe(chooseVariation(variations, seed)?.id);
    }
  });

  it('never picks an inactive variation and follows the weights', () => {
    const counts: Record<string, number> = {};
    for (let index = 0; index < 4000; index += 1) {
      const id = chooseVariation(variations, `cycle-${index}:D0`)?.id ?? 'none';
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(counts.off).toBeUndefined();
    const ratio = (counts.b ?? 0) / (counts.a ?? 1);
    expect(ratio).toBeGreaterThan(2.4);
    expect(ratio).toBeLessThan(3.6);
  });

  it('returns undefined when nothing is active', () => {
    expect(chooseVariation([{ weight: 1, active: false }], 's')).toBeUndefined();
  });

  it('stableHash is a fixed function (FNV-1a)', () => {
    expect(stableHash('')).toBe(0x811c9dc5);
    expect(stableHash('a')).toBe(0xe40c292c);
  });
});

describe('formatting', () => {
  it('formats BRL in pt-BR as R$ 1.234,56', () => {
    expect(formatMoney(123456, 'BRL', 'pt-BR')).toBe('R$ 1.234,56');
  });

  it('uses the currency minor digits (JPY has none) and the locale', () => {
    expect(formatMoney(1234, 'JPY', 'en')).toBe('¥1,234');
    expect(formatMoney(123456, 'USD', 'en')).toBe('$1,234.56');
  });

  it('formats a local date per locale without shifting the day', () => {
    expect(formatLocalDate('2026-03-02', 'pt-BR')).toBe('02/03/2026');
    expect(formatLocalDate('2026-03-02', 'en')).toBe('03/02/2026');
  });
});
