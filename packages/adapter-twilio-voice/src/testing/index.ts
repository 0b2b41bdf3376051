/**
 * Test helpers of `@sdr/adapter-twilio-voice`: a local fake of Deepgram's live WebSocket API.
 * For tests and benches only.
 * @packageDocumentation
 */
export {
  deepgramIdleCloseReason,
  startFakeDeepgramServer,
  type FakeDeepgramConnection,
  type FakeDeepgramOptions,
  type FakeDeepgramServer,
} from '../deepgram/testing/fake-deepgram-server.js';
