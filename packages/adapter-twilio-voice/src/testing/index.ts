/**
 * Test helpers of `@sdr/adapter-twilio-voice`: a local fake of Deepgram's live WebSocket API,
 * Twilio's side of a Media Streams call, and in-memory speech ports. For tests and benches only.
 * @packageDocumentation
 */
export {
  deepgramIdleCloseReason,
  startFakeDeepgramServer,
  type FakeDeepgramConnection,
  type FakeDeepgramOptions,
  type FakeDeepgramServer,
} from '../deepgram/testing/fake-deepgram-server.js';
export {
  connectFakeTwilioMediaCall,
  type FakeTwilioMediaCall,
  type ReceivedMediaMessage,
} from '../media-streams/testing/fake-twilio-media-call.js';
export {
  createInMemorySpeechToText,
  createInMemoryTextToSpeech,
  type InMemorySpeechToText,
  type InMemoryTextToSpeech,
  type InMemoryTextToSpeechOptions,
} from '../media-streams/testing/in-memory-speech.js';
