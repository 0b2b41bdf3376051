import { describe, expect, it } from 'vitest';
import { ValidationError, VersionConflictError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { createInMemoryStore } from '../../memory/store/in-memory-store.js';
import { createTemplateService, templateKindOf } from './template-service.js';

const tenantId = '3f1e2d3c-4b5a-4968-8776-655443322110';

function service() {
  const clock = new VirtualClock('2026-03-02T12:00:00Z');
  const store = createInMemoryStore({ clock });
  return { clock, store, templates: createTemplateService({ store, clock }) };
}

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!ValidationError.isInstance(error)) throw new Error(`expected a ValidationError, got ${String(error)}`);
  return error;
}

describe('TemplateService.save', () => {
  it('infers the kind from the key', () => {
    expect(['reengage_1', 'reminder_2h', 'billing_step', 'billing_d-3', 'other'].map(templateKindOf)).toEqual([
      'reengage_1',
      'reminder_2h',
      'billing_step',
      'billing_step',
      undefined,
    ]);
  });

  it('saves a billing template, then replaces it with the next version', async () => {
    const { templates, clock } = service();
    const saved = await templates.save({
      tenantId,
      key: 'billing_d-3',
      locale: 'pt-BR',
      variations: [
        { id: 'a', body: 'Oi {{customerName}}, {{amount}} vence em {{dueDate}}', weight: 3 },
        { id: 'b', body: '{{customerName}}: {{amount}}' },
      ],
      variables: ['customerName', 'amount', 'dueDate'],
    });
    expect(saved).toMatchObject({
      key: 'billing_d-3',
      version: 0,
      variations: [
        { weight: 3, active: true },
        { weight: 1, active: true },
      ],
    });
    await clock.advance(1000);
    const replaced = await templates.save({
      tenantId,
      key: 'billing_d-3',
      locale: 'pt-BR',
      variations: [{ id: 'a', body: 'Oi {{customerName}}' }],
      variables: ['customerName'],
    });
    expect(replaced).toMatchObject({ id: saved.id, version: 1, createdAt: saved.createdAt, updatedAt: clock.now() });
  });

  it('rejects a template with an unknown variable, naming the variation', async () => {
    const { templates, store } = service();
    const error = await rejection(
      templates.save({ tenantId, key: 'billing_d0', locale: 'pt-BR', variations: [{ id: 'a', body: 'Pague {{pix}}' }], variables: [] }),
    );
    expect(error.fieldErrors).toEqual([{ field: 'variations.0.body', message: expect.stringMatching(/unknown variable "pix"/) as string }]);
    expect(await store.templates.list(tenantId)).toEqual([]);
  });

  it('checks variables against the kind: a reminder cannot use the amount', async () => {
    const { templates } = service();
    const error = await rejection(
      templates.save({
        tenantId,
        key: 'reminder_2h',
        locale: 'en',
        variations: [{ id: 'a', body: 'Pay {{amount}}' }],
        variables: ['amount'],
      }),
    );
    expect(error.fieldErrors.map((problem) => problem.field)).toEqual(['variables', 'variations.0.body']);
  });

  it('rejects an undeclared variable, a key whose kind is unknown, a contradicting kind and repeated variation ids', async () => {
    const { templates } = service();
    const base = { tenantId, locale: 'pt-BR', variables: [] as string[] };
    await rejection(templates.save({ ...base, key: 'billing_d0', variations: [{ id: 'a', body: 'Oi {{customerName}}' }] }));
    expect(
      (await rejection(templates.save({ ...base, key: 'cobranca', variations: [{ id: 'a', body: 'Oi' }] }))).fieldErrors[0]?.field,
    ).toBe('kind');
    expect(
      (await rejection(templates.save({ ...base, key: 'reengage_1', kind: 'billing_step', variations: [{ id: 'a', body: 'Oi' }] })))
        .fieldErrors[0]?.field,
    ).toBe('kind');
    const repeated = await rejection(
      templates.save({
        ...base,
        key: 'billing_d0',
        variations: [
          { id: 'a', body: 'x' },
          { id: 'a', body: 'y' },
        ],
      }),
    );
    expect(repeated.fieldErrors).toEqual([{ field: 'variations', message: 'must not repeat a variation id' }]);
  });

  it('accepts a tenant key with an explicit kind', async () => {
    const { templates } = service();
    const saved = await templates.save({
      tenantId,
      key: 'cobranca_vencida',
      kind: 'billing_step',
      locale: 'pt-BR',
      variations: [{ id: 'a', body: '{{customerName}}, {{amount}} venceu.' }],
      variables: ['customerName', 'amount'],
    });
    expect(saved.key).toBe('cobranca_vencida');
  });

  it('refuses to overwrite a newer version', async () => {
    const { templates } = service();
    const input = {
      tenantId,
      key: 'reengage_1',
      locale: 'en',
      variations: [{ id: 'a', body: 'Hi {{leadName}}' }],
      variables: ['leadName'],
    };
    await templates.save(input);
    await templates.save(input);
    await expect(templates.save({ ...input, expectedVersion: 0 })).rejects.toSatisfy((error) => VersionConflictError.isInstance(error));
  });
});
