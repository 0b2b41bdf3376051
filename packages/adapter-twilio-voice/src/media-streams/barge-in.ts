/**
 * Barge-in for a call whose audio we carry ourselves (Twilio Media Streams): a pure state
 * machine, `listening → thinking → speaking`, events in, commands out. The session applies the
 * commands (Twilio `clear`, TTS `Clear`, aborting the model, recording what was heard); this file
 * does no I/O and reads no clock, so every interleaving can be tested.
 *
 * The rules:
 * - B1 A caller utterance is the final transcripts since the last reply began; it is answered when
 *   the recogniser ends it (`endOfUtterance`, or `utterance-end`), and never split or dropped.
 * - B2 Each reply gets a new generation. Model text, audio, marks and the end of playback of
 *   another generation are stale and ignored, so a stale reply never speaks.
 * - B3 The caller speaking while the agent thinks or speaks is a barge-in: Twilio's buffered
 *   audio is cleared, the synthesiser cleared, the model aborted, and the reply cut to what the
 *   media clock says was played. No audio is played until the next reply.
 * - B4 A reply ends when its text, its audio and its playback are complete; only then, or after
 *   a barge-in, can the next reply start: never two replies at once.
 */
import { heardText, type HeardTextOptions, type MediaClock } from './heard-text.js';

/** Where the conversation stands. */
export type BargeInPhase = 'listening' | 'thinking' | 'speaking';

/** The reply being produced or played. */
export interface ReplyInProgress {
  readonly generation: number;
  /** Text received from the model so far (the greeting's whole text). */
  readonly text: string;
  /** The model finished (or there is no model: the greeting). */
  readonly textComplete: boolean;
  /** The synthesiser delivered all the audio of the text. */
  readonly speechComplete: boolean;
  readonly clock: MediaClock;
}

/** The machine's state. */
export interface BargeInState {
  readonly phase: BargeInPhase;
  /** Generation of the latest reply (0 before any). */
  readonly generation: number;
  /** Final transcripts of the utterance being spoken, not yet answered (rule B1). */
  readonly pendingUtterance: readonly string[];
  /** Defined while thinking or speaking. */
  readonly reply: ReplyInProgress | undefined;
}

/** Something that happened; `atMs` is the session's clock in milliseconds. */
export type BargeInEvent =
  | { readonly type: 'greeting'; readonly text: string }
  | { readonly type: 'speech-started'; readonly atMs: number }
  | {
      readonly type: 'transcript';
      readonly text: string;
      readonly isFinal: boolean;
      readonly endOfUtterance: boolean;
      readonly atMs: number;
    }
  | { readonly type: 'utterance-end' }
  | { readonly type: 'reply-chunk'; readonly generation: number; readonly text: string }
  | { readonly type: 'reply-done'; readonly generation: number }
  | { readonly type: 'speech-audio'; readonly audio: Uint8Array }
  | { readonly type: 'speech-flushed' }
  | { readonly type: 'audio-sent'; readonly generation: number; readonly bytes: number; readonly atMs: number }
  | { readonly type: 'mark-played'; readonly generation: number; readonly bytes: number; readonly atMs: number }
  | { readonly type: 'playback-ended'; readonly generation: number };

/** Something the session must do, in the order given. */
export type BargeInCommand =
  | { readonly type: 'start-reply'; readonly generation: number; readonly utterance: string }
  | { readonly type: 'speak'; readonly generation: number; readonly text: string }
  | { readonly type: 'flush-speech'; readonly generation: number }
  | { readonly type: 'play'; readonly generation: number; readonly audio: Uint8Array }
  | { readonly type: 'end-playback'; readonly generation: number }
  | { readonly type: 'reply-finished'; readonly generation: number }
  | { readonly type: 'clear-playback'; readonly generation: number; readonly reason: string }
  | { readonly type: 'clear-speech'; readonly generation: number; readonly reason: string }
  | { readonly type: 'abort-reply'; readonly generation: number; readonly reason: string }
  | { readonly type: 'record-interruption'; readonly generation: number; readonly heard: string; readonly reason: string };

/** One step's outcome. */
export interface BargeInStep {
  readonly state: BargeInState;
  readonly commands: readonly BargeInCommand[];
}

/** Tuning of the media clock (see `heardText`). */
export type BargeInOptions = HeardTextOptions;

/** μ-law at 8 kHz, and an average speaking rate of about 150 words a minute. */
export const defaultBargeInOptions: BargeInOptions = Object.freeze({ bytesPerSecond: 8000, charactersPerSecond: 15 });

/** The state at the start of a call. */
export const initialBargeInState: BargeInState = Object.freeze({
  phase: 'listening',
  generation: 0,
  pendingUtterance: [],
  reply: undefined,
});

const unchanged = (state: BargeInState): BargeInStep => ({ state, commands: [] });

function newReply(generation: number, text: string, textComplete: boolean): ReplyInProgress {
  return {
    generation,
    text,
    textComplete,
    speechComplete: false,
    clock: { bytesQueued: 0, bytesSent: 0, bytesConfirmed: 0, confirmedAtMs: undefined },
  };
}

/** Applies one event. Pure: the same state and event always give the same step. */
export function bargeInStep(state: BargeInState, event: BargeInEvent, options: BargeInOptions = defaultBargeInOptions): BargeInStep {
  switch (event.type) {
    case 'greeting':
      return greet(state, event.text);
    case 'speech-started':
      return state.phase === 'listening' ? unchanged(state) : bargeIn(state, event.atMs, 'speech started', options);
    case 'transcript':
      return transcript(state, event, options);
    case 'utterance-end':
      return answerIfComplete(state);
    case 'reply-chunk':
      return replyChunk(state, event.generation, event.text);
    case 'reply-done':
      return replyDone(state, event.generation);
    case 'speech-audio':
      return speechAudio(state, event.audio);
    case 'speech-flushed':
      return speechFlushed(state);
    case 'audio-sent':
      return withClock(state, event.generation, (clock) => ({
        ...clock,
        bytesSent: clock.bytesSent + event.bytes,
        // Until a mark confirms anything, playback is assumed to start with the first byte sent.
        confirmedAtMs: clock.confirmedAtMs ?? event.atMs,
      }));
    case 'mark-played':
      return withClock(state, event.generation, (clock) =>
        event.bytes < clock.bytesConfirmed
          ? clock
          : { ...clock, bytesConfirmed: Math.min(event.bytes, clock.bytesSent), confirmedAtMs: event.atMs },
      );
    case 'playback-ended':
      return playbackEnded(state, event.generation);
  }
}

// Rule B1 (greeting variant): the first words of the call are a reply with all its text known.
function greet(state: BargeInState, text: string): BargeInStep {
  if (state.reply !== undefined || text.trim() === '') return unchanged(state);
  const generation = state.generation + 1;
  return {
    state: { ...state, phase: 'thinking', generation, reply: newReply(generation, text, true) },
    commands: [
      { type: 'speak', generation, text },
      { type: 'flush-speech', generation },
    ],
  };
}

// Rules B1 and B3: words while the agent talks are a barge-in even if no `speech-started` came.
function transcript(state: BargeInState, event: Extract<BargeInEvent, { type: 'transcript' }>, options: BargeInOptions): BargeInStep {
  const text = event.text.trim();
  if (!event.isFinal)
    return text !== '' && state.phase !== 'listening' ? bargeIn(state, event.atMs, 'words heard', options) : unchanged(state);
  const interrupted = text !== '' && state.phase !== 'listening' ? bargeIn(state, event.atMs, 'words heard', options) : unchanged(state);
  const collected: BargeInState =
    text === '' ? interrupted.state : { ...interrupted.state, pendingUtterance: [...interrupted.state.pendingUtterance, text] };
  if (!event.endOfUtterance) return { state: collected, commands: interrupted.commands };
  const answered = answerIfComplete(collected);
  return { state: answered.state, commands: [...interrupted.commands, ...answered.commands] };
}

// Rule B1: the utterance is answered once, whole, when the recogniser ends it.
function answerIfComplete(state: BargeInState): BargeInStep {
  if (state.phase !== 'listening' || state.pendingUtterance.length === 0) return unchanged(state);
  const generation = state.generation + 1;
  return {
    state: { phase: 'thinking', generation, pendingUtterance: [], reply: newReply(generation, '', false) },
    commands: [{ type: 'start-reply', generation, utterance: state.pendingUtterance.join(' ') }],
  };
}

// Rule B3.
function bargeIn(state: BargeInState, atMs: number, cause: string, options: BargeInOptions): BargeInStep {
  const reply = state.reply;
  if (reply === undefined) return unchanged(state);
  const { generation } = reply;
  const reason = `barge-in: ${cause} while ${state.phase}`;
  const heard = heardText({ text: reply.text, speechComplete: reply.speechComplete, clock: reply.clock, atMs, options });
  const commands: BargeInCommand[] = [];
  // Twilio's buffer first: it is what the caller is hearing right now.
  if (reply.clock.bytesSent > 0) commands.push({ type: 'clear-playback', generation, reason });
  commands.push({ type: 'clear-speech', generation, reason });
  if (!reply.textComplete) commands.push({ type: 'abort-reply', generation, reason });
  commands.push({ type: 'record-interruption', generation, heard, reason });
  return { state: { ...state, phase: 'listening', reply: undefined }, commands };
}

// Rule B2 for model output.
function replyChunk(state: BargeInState, generation: number, text: string): BargeInStep {
  const reply = state.reply;
  if (reply?.generation !== generation || reply.textComplete || text === '') return unchanged(state);
  return { state: { ...state, reply: { ...reply, text: reply.text + text } }, commands: [{ type: 'speak', generation, text }] };
}

function replyDone(state: BargeInState, generation: number): BargeInStep {
  const reply = state.reply;
  if (reply?.generation !== generation || reply.textComplete) return unchanged(state);
  if (reply.text.trim() === '') {
    // The model had nothing to say: nothing to play, back to listening.
    return { state: { ...state, phase: 'listening', reply: undefined }, commands: [{ type: 'reply-finished', generation }] };
  }
  return { state: { ...state, reply: { ...reply, textComplete: true } }, commands: [{ type: 'flush-speech', generation }] };
}

// Rules B2 and B3: audio plays only while a reply is live; the synthesiser drops earlier text's
// audio after `clear`, so audio arriving now is the live reply's.
function speechAudio(state: BargeInState, audio: Uint8Array): BargeInStep {
  const reply = state.reply;
  if (reply === undefined || audio.byteLength === 0) return unchanged(state);
  const clock = { ...reply.clock, bytesQueued: reply.clock.bytesQueued + audio.byteLength };
  return {
    state: { ...state, phase: 'speaking', reply: { ...reply, clock } },
    commands: [{ type: 'play', generation: reply.generation, audio }],
  };
}

function speechFlushed(state: BargeInState): BargeInStep {
  const reply = state.reply;
  if (reply === undefined || !reply.textComplete || reply.speechComplete) return unchanged(state);
  return {
    state: { ...state, reply: { ...reply, speechComplete: true } },
    commands: [{ type: 'end-playback', generation: reply.generation }],
  };
}

function withClock(state: BargeInState, generation: number, update: (clock: MediaClock) => MediaClock): BargeInStep {
  const reply = state.reply;
  if (reply?.generation !== generation) return unchanged(state);
  return unchanged({ ...state, reply: { ...reply, clock: update(reply.clock) } });
}

// Rule B4.
function playbackEnded(state: BargeInState, generation: number): BargeInStep {
  const reply = state.reply;
  if (reply?.generation !== generation || !reply.speechComplete) return unchanged(state);
  return { state: { ...state, phase: 'listening', reply: undefined }, commands: [{ type: 'reply-finished', generation }] };
}
