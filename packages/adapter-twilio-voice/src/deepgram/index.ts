export { createDeepgramSpeechToText } from './deepgram-speech-to-text.js';
export { createDeepgramTextToSpeech } from './deepgram-text-to-speech.js';
export type { DeepgramConfig, DeepgramDeps } from './deepgram-config.js';
export type { WebSocketClass } from './deepgram-socket.js';
