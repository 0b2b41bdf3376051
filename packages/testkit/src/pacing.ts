/**
 * Keeps a suite under a provider's rate limit when the implementation under test was created
 * without its own pacing (the port's pacing clause makes a `CrmPort` pace itself with the
 * `RateLimiter` it was created with; a subject that declares `pacing` is left to do so). The
 * conformance suites must never trip a limit by accident: a real CRM would answer 429, or block
 * the account.
 */
import type { CrmPort } from '@sdr/core';
import type { TimeControl } from './harness.js';

/** Hands out request slots at most `requestsPerSecond` per second, in call order. */
export interface Pacer {
  /** Resolves when the caller may send its next request. */
  slot(): Promise<void>;
}

/**
 * A pacer spacing requests by just over `1000 / requestsPerSecond` ms, so that no window of one
 * second — open or closed — holds more than `requestsPerSecond` of them. Waits go through
 * `time`: instant on a virtual clock, real sleeps otherwise.
 */
export function createPacer(time: TimeControl, requestsPerSecond: number): Pacer {
  const interval = Math.floor(1000 / requestsPerSecond) + 1;
  let nextAt = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();
  return {
    slot() {
      const turn = queue.then(async () => {
        const wait = nextAt - time.clock.now().getTime();
        if (wait > 0) await time.pass(wait);
        nextAt = time.clock.now().getTime() + interval;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * `crm` with every call taking, first, as many slots of `pacer` as the requests it may cost a
 * Kommo-like provider: one for most calls and for a batch the provider sends at once; one per
 * item for a batch it does not (`batchUpdate`, `batchNotes` false); for an upsert, a phone search
 * per input plus the write. An empty batch sends nothing and takes no slot.
 */
export function pacedCrm(crm: CrmPort, pacer: Pacer): CrmPort {
  const slots = async (count: number) => {
    for (let index = 0; index < count; index += 1) await pacer.slot();
  };
  const { batchUpdate, batchNotes } = crm.capabilities;
  const batch = (size: number, oneRequest: boolean) => (size === 0 ? 0 : oneRequest ? 1 : size);
  return {
    contractVersion: crm.contractVersion,
    provider: crm.provider,
    capabilities: crm.capabilities,
    findLeadByPhone: async (phone, options) => {
      await slots(1);
      return crm.findLeadByPhone(phone, options);
    },
    findContactByPhone: async (phone, options) => {
      await slots(1);
      return crm.findContactByPhone(phone, options);
    },
    upsertLeads: async (inputs, options) => {
      await slots(inputs.length === 0 ? 0 : inputs.length + 1);
      return crm.upsertLeads(inputs, options);
    },
    upsertContacts: async (inputs, options) => {
      await slots(inputs.length === 0 ? 0 : inputs.length + 1);
      return crm.upsertContacts(inputs, options);
    },
    getLeads: async (leadIds, options) => {
      await slots(batch(leadIds.length, true));
      return crm.getLeads(leadIds, options);
    },
    updateLeads: async (patches, options) => {
      await slots(batch(patches.length, batchUpdate));
      return crm.updateLeads(patches, options);
    },
    addNotes: async (notes, options) => {
      await slots(batch(notes.length, batchNotes));
      return crm.addNotes(notes, options);
    },
    listPipelines: async (options) => {
      await slots(1);
      return crm.listPipelines(options);
    },
    health: async (options) => {
      await slots(1);
      return crm.health(options);
    },
  };
}
