/**
 * Test helpers of `@sdr/adapter-evolution`: a stateful fake Evolution API (Fetch API handler) and
 * builders of webhook deliveries. For tests and benches only.
 * @packageDocumentation
 */
export {
  createFakeEvolution,
  type FakeEvolution,
  type FakeEvolutionDelivery,
  type FakeEvolutionFault,
  type FakeEvolutionOptions,
  type FakeEvolutionRequest,
} from './fake-evolution.js';
export { startFakeEvolutionServer, type FakeEvolutionServer } from './fake-evolution-server.js';
export { buildConnectionUpdate, buildMessagesUpdate, buildMessagesUpsert, type EnvelopeOptions } from './webhook-builders.js';
