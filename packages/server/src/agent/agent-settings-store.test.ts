/**
 * The agent settings store on both drivers: a change made through one process's store is read by
 * another's once its short cache expires (and at once by the store that made it), bad settings
 * are refused naming each field with nothing written, and tenants never share settings.
 */
import { randomUUID } from 'node:crypto';
import { defaultAgentSettings } from '@sdr/agent';
import { ValidationError, systemClock } from '@sdr/core';
import { expect, it, vi } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createAgentSettingsStore } from './agent-settings-store.js';

describeEachDriver('the agent settings store', (database) => {
  const storeOf = (cacheTtlMs: number) => createAgentSettingsStore({ db: database().database, clock: systemClock, cacheTtlMs });

  it('is read by another process within its cache time, and at once by the process that set it', async () => {
    const tenantId = randomUUID();
    const [writer, reader] = [storeOf(60_000), storeOf(200)];
    expect(await writer.settingsFor(tenantId)).toEqual(defaultAgentSettings);
    expect(await reader.settingsFor(tenantId)).toEqual(defaultAgentSettings);
    await writer.set(tenantId, { name: 'Bia', limits: ['Nunca prometa desconto.'] });
    expect((await writer.settingsFor(tenantId)).name).toBe('Bia');
    await vi.waitFor(async () => expect((await reader.settingsFor(tenantId)).name).toBe('Bia'), { timeout: 5_000, interval: 50 });
    expect(await reader.get(tenantId)).toMatchObject({ version: 1, settings: { name: 'Bia', limits: ['Nunca prometa desconto.'] } });
  });

  it('refuses bad settings naming each field, and writes nothing', async () => {
    const tenantId = randomUUID();
    const store = storeOf(0);
    const refusal = await store.set(tenantId, { name: 'x'.repeat(81), facts: [''], enabled: 'yes' }).catch((error: unknown) => error);
    expect(ValidationError.isInstance(refusal)).toBe(true);
    expect((refusal as ValidationError).fieldErrors.map((fieldError) => fieldError.field).sort()).toEqual(['enabled', 'facts.0', 'name']);
    expect(await store.get(tenantId)).toEqual({ settings: defaultAgentSettings, version: 0, updatedAt: null });
  });

  it('keeps each tenant’s settings to that tenant', async () => {
    const [owner, other] = [randomUUID(), randomUUID()];
    const store = storeOf(0);
    await store.set(owner, { name: 'Bia' });
    expect(await store.settingsFor(other)).toEqual(defaultAgentSettings);
    expect((await store.settingsFor(owner)).name).toBe('Bia');
  });
});
