/**
 * Keeps a suite under a provider's rate limit: the conformance suites must never trip a limit by
 * accident (a real CRM would answer 429, or block the account).
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

/** `crm` with every call taking a slot of `pacer` first (one call is one request, by contract). */
export function pacedCrm(crm: CrmPort, pacer: Pacer): CrmPort {
  const paced =
    <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      await pacer.slot();
      return call(...args);
    };
  return {
    contractVersion: crm.contractVersion,
    provider: crm.provider,
    capabilities: crm.capabilities,
    findLeadByPhone: paced((phone) => crm.findLeadByPhone(phone)),
    upsertLeadByPhone: paced((input) => crm.upsertLeadByPhone(input)),
    findContactByPhone: paced((phone) => crm.findContactByPhone(phone)),
    upsertContactByPhone: paced((input) => crm.upsertContactByPhone(input)),
    getLead: paced((leadId) => crm.getLead(leadId)),
    getLeads: paced((leadIds) => crm.getLeads(leadIds)),
    updateLead: paced((patch) => crm.updateLead(patch)),
    updateLeads: paced((patches) => crm.updateLeads(patches)),
    moveStage: paced((input) => crm.moveStage(input)),
    addNote: paced((input) => crm.addNote(input)),
    // One slot per request: one for a batch, one per note without `batchNotes`.
    addNotes: async (notes) => {
      const requests = crm.capabilities.batchNotes ? 1 : notes.length;
      for (let index = 0; index < requests; index += 1) await pacer.slot();
      return crm.addNotes(notes);
    },
    listPipelines: paced(() => crm.listPipelines()),
    health: paced(() => crm.health()),
  };
}
