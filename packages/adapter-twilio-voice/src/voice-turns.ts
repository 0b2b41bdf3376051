import type { Logger } from '@sdr/core';

/** One phone call's conversation with the agent, independent of how audio travels. */
export interface VoiceTurns {
  /** The first words of the call (recorded as the agent's outbound voice message). */
  greeting(): Promise<string>;
  /**
   * The agent's reply to one final caller utterance, as text chunks in order. The caller's
   * utterance is recorded first. Aborting `signal` stops the model; the iterable then ends
   * without throwing. The reply is recorded in full when the iterable completes normally.
   */
  reply(utterance: string, signal: AbortSignal): AsyncIterable<string>;
  /** The caller interrupted: the transcript keeps only `heard` of the agent's last reply. */
  interrupted(heard: string): Promise<void>;
  /** A keypad digit pressed by the caller. */
  dtmf(digit: string): Promise<void>;
  /** Set once the agent handed the call to a person: the session should end the call. */
  readonly handoff: { readonly reason: string } | undefined;
  /** The call is over (hang-up or end): writes the call summary note. Idempotent. */
  end(): Promise<void>;
}

/** Everything a media or relay session needs besides its socket. */
export interface VoiceSessionDeps {
  readonly turns: VoiceTurns;
  readonly logger: Logger;
}
