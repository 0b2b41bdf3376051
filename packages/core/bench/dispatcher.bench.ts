/**
 * `pnpm bench dispatcher [rows]`: throughput of the dispatcher on the in-memory store with the
 * in-memory (no-op) channel and pacing off, for 1 and 4 workers, and 4 workers of which one is
 * killed mid-batch (its claims are recovered once the lease expires). Counts duplicate and lost
 * sends. It measures the dispatcher's own overhead; database throughput is the PostgreSQL
 * store's benchmark.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PhoneNumber, VirtualClock, createDispatcher, parseOrThrow, tenantSchema, type DispatchHandler, type Dispatcher } from '@sdr/core';
import { createInMemoryMessaging, createInMemoryStore } from '@sdr/core/testing';

const rowsPerScenario = Number(process.argv[2] ?? 10_000);
const leaseMs = 15 * 60_000;
const to = PhoneNumber.parse('+5511987654321');

const handler: DispatchHandler = {
  kinds: ['reengage_1'],
  prepare: (_message, context) =>
    Promise.resolve({
      action: 'send',
      to,
      text: 'Oi! Ainda tem interesse?',
      instance: context.tenant.messaging.instance,
      businessHours: 'ignore',
    }),
};

async function scenario(
  name: string,
  options: { readonly workers: number; readonly killOne: boolean; readonly rows?: number },
): Promise<void> {
  const rows = options.rows ?? rowsPerScenario;
  const clock = new VirtualClock('2031-03-05T14:00:00Z');
  const store = createInMemoryStore({ clock });
  const messaging = createInMemoryMessaging({ clock });
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Bench',
      timeZone: 'America/Sao_Paulo',
      createdAt: clock.now(),
      updatedAt: clock.now(),
      version: 0,
    }),
  );
  for (let index = 0; index < rows; index += 1) {
    await store.scheduledMessages.schedule({
      tenantId: tenant.id,
      leadId: randomUUID(),
      kind: 'reengage_1',
      dedupeKey: `bench:${index}`,
      dueAt: clock.now(),
    });
  }
  const sends: string[] = [];
  const counting = {
    ...messaging,
    sendText: (input: Parameters<typeof messaging.sendText>[0]) => (sends.push(input.idempotencyKey), messaging.sendText(input)),
  };
  const workers: Dispatcher[] = Array.from({ length: options.workers }, (_, index) =>
    createDispatcher({ store, messaging: counting, clock, handlers: [handler], pacing: false, leaseMs, workerId: `worker-${index}` }),
  );

  const started = performance.now();
  if (options.killOne) {
    // A worker claims a batch and dies before sending anything.
    await store.scheduledMessages.claimDue({ now: clock.now(), limit: 100, workerId: 'killed', leaseMs });
  }
  for (let idle = 0; idle < 2; ) {
    const reports = await Promise.all(workers.map((worker) => worker.runOnce()));
    if (reports.every((report) => report.claimed === 0)) {
      idle += 1;
      // Past the lease: the next passes recover what the killed worker held.
      await clock.advance(leaseMs);
    } else idle = 0;
  }
  const elapsedMs = performance.now() - started;

  const unique = new Set(sends);
  const sent = store.dump().scheduledMessages.filter((row) => row.status === 'sent').length;
  console.log(
    `${name.padEnd(34)} ${String(rows).padStart(6)} rows  ${(rows / (elapsedMs / 1000)).toFixed(0).padStart(6)} msg/s  ` +
      `${elapsedMs.toFixed(0).padStart(6)} ms  duplicates ${sends.length - unique.size}  lost ${rows - sent}`,
  );
}

// Warm-up, not reported: the first scenario would otherwise pay for the JIT.
const quiet = console.log;
console.log = () => undefined;
await scenario('warm-up', { workers: 2, killOne: true, rows: 5000 });
console.log = quiet;

await scenario('1 worker, batch 100', { workers: 1, killOne: false });
await scenario('4 workers, batch 100', { workers: 4, killOne: false });
await scenario('4 workers, one killed mid-batch', { workers: 4, killOne: true });
