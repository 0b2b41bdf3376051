/**
 * `pnpm bench billing-import`: a batch of 1000 items on the in-memory store — the dry run, the
 * import (10 transactions of 100), and applying a dry-run plan by its hash. Prints milliseconds
 * per run and items per second; the store is fresh for every run.
 */
import { performance } from 'node:perf_hooks';
import { createBillingService, parseOrThrow, tenantSchema, VirtualClock } from '@sdr/core';
import { createInMemoryLock, createInMemoryStore } from '@sdr/core/testing';

const runs = Number(process.argv[2] ?? 5);
const size = 1000;

const items = Array.from({ length: size }, (_, index) => ({
  externalBillingId: `INV-${String(index).padStart(5, '0')}`,
  customer: { name: `Cliente ${index}`, phone: `+55 11 9${String(80_000_000 + index)}` },
  amount: 10_000 + index,
  currency: 'BRL',
  dueDate: '2026-03-10',
}));

async function fresh() {
  const clock = new VirtualClock('2026-03-02T12:00:00Z');
  const store = createInMemoryStore({ clock });
  const tenant = parseOrThrow(tenantSchema, {
    id: '7d3c1f4e-2b6a-4c8d-9e0f-1a2b3c4d5e6f',
    name: 'Bench',
    timeZone: 'America/Sao_Paulo',
    createdAt: clock.now(),
    updatedAt: clock.now(),
    version: 0,
  });
  await store.tenants.create(tenant);
  return { billing: createBillingService({ store, clock, lock: createInMemoryLock({ clock }) }), tenantId: tenant.id };
}

async function measure(name: string, run: () => Promise<void>): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  console.log(
    `${name.padEnd(28)} median ${median.toFixed(0).padStart(6)} ms  min ${(samples[0] ?? 0).toFixed(0).padStart(6)} ms  ${Math.round((size / median) * 1000)} items/s`,
  );
}

console.log(`billing import, ${size} items, ${runs} runs each (in-memory store)`);
await measure('dry run', async () => {
  const { billing, tenantId } = await fresh();
  await billing.importBatch({ tenantId, items, dryRun: true });
});
await measure('import (10 × 100)', async () => {
  const { billing, tenantId } = await fresh();
  await billing.importBatch({ tenantId, items });
});
await measure('dry run + apply by hash', async () => {
  const { billing, tenantId } = await fresh();
  const plan = await billing.importBatch({ tenantId, items, dryRun: true });
  await billing.applyPlan({ tenantId, items, planHash: plan.planHash });
});
