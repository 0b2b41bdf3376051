/**
 * Test helpers of `@sdr/adapter-kommo`: a stateful fake Kommo API v4 (a Fetch API handler, for msw
 * or behind a real loopback HTTP server) and builders of Kommo webhook deliveries. For tests and
 * benches only.
 * @packageDocumentation
 */
export {
  createFakeKommo,
  fakeKommoOAuthClient,
  type FakeKommo,
  type FakeKommoFault,
  type FakeKommoOptions,
  type FakeKommoRequest,
} from './fake-kommo.js';
export type { FakeKommoContact, FakeKommoField, FakeKommoLead, FakeKommoNote, FakeKommoPipeline } from './fake-kommo-board.js';
export { startFakeKommoServer, type FakeKommoServer } from './fake-kommo-server.js';
export { buildKommoDelivery, type DeliveryLead } from './webhook-builders.js';
