/**
 * Repository tests: templates, sync states and alerts.
 */
import { ConflictError, VersionConflictError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildAlertInput, buildSyncState, buildTemplate, newId } from './fixtures.js';
import { expectSdrError } from './harness.js';
import type { RepositoryConformanceOptions, StoreSetup, StoreSubject } from './repository-context.js';

export function registerRecordTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  describe('templates', () => {
    it(
      'save inserts, then updates by key and locale optimistically; a stale version is a VersionConflictError',
      async () => {
        const { store, tenantId } = await setup();
        const template = buildTemplate({ tenantId, key: `billing_${newId().slice(0, 8)}` });
        const saved = await store.templates.save(template);
        expect(saved).toMatchObject({ tenantId, key: template.key, locale: template.locale, variations: template.variations });
        expect(await store.templates.get(tenantId, template.key, template.locale)).toEqual(saved);
        const variations = [...saved.variations, { id: 'b', body: 'Olá de novo, {{leadName}}', weight: 2, active: true }];
        const updated = await store.templates.save({ ...saved, variations });
        expect(updated.version).toBe(saved.version + 1);
        expect(updated.variations).toEqual(variations);
        await expectSdrError(store.templates.save({ ...saved, variables: [] }), VersionConflictError);
        expect(await store.templates.get(tenantId, template.key, template.locale)).toEqual(updated);
      },
      options.timeoutMs,
    );

    it(
      'templates are per locale; list and delete work within the tenant only',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const key = `reminder_${newId().slice(0, 8)}`;
        const portuguese = await store.templates.save(buildTemplate({ tenantId, key, locale: 'pt-BR' }));
        const english = await store.templates.save(
          buildTemplate({ tenantId, key, locale: 'en', variations: [{ id: 'a', body: 'Hi {{leadName}}' }] }),
        );
        expect((await store.templates.get(tenantId, key, 'en'))?.id).toBe(english.id);
        expect((await store.templates.list(tenantId)).map((template) => template.id).sort()).toEqual([portuguese.id, english.id].sort());
        const other = (await newTenant()).id;
        expect(await store.templates.get(other, key, 'pt-BR')).toBeNull();
        expect(await store.templates.list(other)).toEqual([]);
        expect(await store.templates.delete(other, key, 'pt-BR')).toBe(false);
        expect(await store.templates.delete(tenantId, key, 'pt-BR')).toBe(true);
        expect(await store.templates.delete(tenantId, key, 'pt-BR')).toBe(false);
        expect(await store.templates.get(tenantId, key, 'pt-BR')).toBeNull();
        expect((await store.templates.list(tenantId)).map((template) => template.id)).toEqual([english.id]);
      },
      options.timeoutMs,
    );
  });

  describe('sync states', () => {
    it(
      'save inserts at version 0, then updates optimistically; a stale version, or a second insert, is a conflict',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const state = buildSyncState({ tenantId, crmLeadId: '777', state: { stage: 'new', tags: ['a'] } });
        expect(await store.syncStates.get(tenantId, state.leadId)).toBeNull();
        const inserted = await store.syncStates.save(state);
        expect(inserted).toMatchObject({ tenantId, leadId: state.leadId, crmLeadId: '777', state: { stage: 'new', tags: ['a'] } });
        expect(await store.syncStates.get(tenantId, state.leadId)).toEqual(inserted);
        const updated = await store.syncStates.save({ ...inserted, state: { stage: 'qualifying', tags: ['a'] } });
        expect(updated.version).toBeGreaterThan(inserted.version);
        expect((await store.syncStates.get(tenantId, state.leadId))?.state).toEqual({ stage: 'qualifying', tags: ['a'] });
        await expectSdrError(store.syncStates.save({ ...inserted, state: { stale: true } }), ConflictError);
        await expectSdrError(store.syncStates.save({ ...state, state: { racing: true } }), ConflictError);
        expect(await store.syncStates.get(tenantId, state.leadId)).toEqual(updated);
        expect(await store.syncStates.get((await newTenant()).id, state.leadId)).toBeNull();
      },
      options.timeoutMs,
    );
  });

  describe('alerts', () => {
    it(
      'raise opens an alert; raising it again refreshes lastSeenAt of the same alert; resolve closes it once',
      async () => {
        const { store, tenantId } = await setup();
        const input = buildAlertInput({ tenantId });
        const first = new Date('2031-06-01T10:00:00.000Z');
        const second = new Date('2031-06-01T10:05:00.000Z');
        const opened = await store.alerts.raise({ ...input, now: first });
        expect(opened.opened).toBe(true);
        expect(opened.alert).toMatchObject({ tenantId, kind: input.kind, key: input.key, severity: 'warning', resolvedAt: null });
        expect(opened.alert.raisedAt.getTime()).toBe(first.getTime());
        const refreshed = await store.alerts.raise({ ...input, now: second });
        expect(refreshed.opened).toBe(false);
        expect(refreshed.alert.id).toBe(opened.alert.id);
        expect(refreshed.alert.raisedAt.getTime()).toBe(first.getTime());
        expect(refreshed.alert.lastSeenAt.getTime()).toBe(second.getTime());
        expect((await store.alerts.listOpen({ tenantId })).map((alert) => alert.id)).toEqual([opened.alert.id]);
        const resolvedAt = new Date('2031-06-01T11:00:00.000Z');
        const resolved = await store.alerts.resolve({ tenantId, kind: input.kind, key: input.key, now: resolvedAt });
        expect(resolved?.id).toBe(opened.alert.id);
        expect(resolved?.resolvedAt?.getTime()).toBe(resolvedAt.getTime());
        expect(await store.alerts.resolve({ tenantId, kind: input.kind, key: input.key, now: resolvedAt })).toBeNull();
        expect(await store.alerts.listOpen({ tenantId })).toEqual([]);
        const reopened = await store.alerts.raise({ ...input, now: new Date('2031-06-02T00:00:00.000Z') });
        expect(reopened.opened).toBe(true);
        expect(reopened.alert.id).not.toBe(opened.alert.id);
      },
      options.timeoutMs,
    );

    it(
      'listOpen is newest first and per tenant; process-wide alerts only with includeGlobal; another tenant cannot resolve',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const older = await store.alerts.raise({ ...buildAlertInput({ tenantId }), now: new Date('2031-06-01T10:00:00.000Z') });
        const newer = await store.alerts.raise({
          ...buildAlertInput({ tenantId, kind: 'crm_sync_lag' }),
          now: new Date('2031-06-01T11:00:00.000Z'),
        });
        const globalInput = buildAlertInput({ tenantId: null, kind: `dispatcher_heartbeat_${newId().slice(0, 8)}` });
        const global = await store.alerts.raise({ ...globalInput, now: new Date('2031-06-01T12:00:00.000Z') });
        expect((await store.alerts.listOpen({ tenantId })).map((alert) => alert.id)).toEqual([newer.alert.id, older.alert.id]);
        const ours = new Set([global.alert.id, newer.alert.id, older.alert.id]);
        const withGlobal = (await store.alerts.listOpen({ tenantId, includeGlobal: true }))
          .map((alert) => alert.id)
          .filter((id) => ours.has(id));
        expect(withGlobal).toEqual([global.alert.id, newer.alert.id, older.alert.id]);
        expect((await store.alerts.listOpen({ tenantId: null })).map((alert) => alert.id)).toContain(global.alert.id);
        const other = (await newTenant()).id;
        expect(await store.alerts.listOpen({ tenantId: other })).toEqual([]);
        expect(
          await store.alerts.resolve({
            tenantId: other,
            kind: older.alert.kind,
            key: older.alert.key,
            now: new Date('2031-06-02T00:00:00.000Z'),
          }),
        ).toBeNull();
        expect((await store.alerts.listOpen({ tenantId })).map((alert) => alert.id)).toContain(older.alert.id);
        const resolvedGlobal = await store.alerts.resolve({
          tenantId: null,
          kind: globalInput.kind,
          key: globalInput.key,
          now: new Date('2031-06-02T00:00:00.000Z'),
        });
        expect(resolvedGlobal?.id).toBe(global.alert.id);
      },
      options.timeoutMs,
    );
  });
}
