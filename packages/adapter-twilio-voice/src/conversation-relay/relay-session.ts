/**
 * One ConversationRelay call on its accepted WebSocket: Twilio turns speech into `prompt`s and
 * speaks the `text` tokens sent back. The session:
 * - on `setup` opens the call's conversation (`open`: the lead by caller number) and speaks the
 *   greeting;
 * - on each final `prompt` streams the agent's reply as `text` tokens, closing the turn with an
 *   empty `last` token;
 * - on `interrupt` aborts the reply being generated and cuts the agent's turn to what the
 *   caller heard (`utteranceUntilInterrupt`);
 * - hands the call to a person with `end` + `handoffData` after the reply's last token.
 *
 * Races: every final prompt, interrupt and the close bump a generation counter **synchronously
 * when the frame arrives**, and a reply only sends while its generation is current, so a reply
 * begun for an older prompt can never speak after a newer prompt or an interrupt. Everything else
 * (recording, the interrupt's cut) runs in arrival order on one queue; the only task running
 * beside it is the current reply's stream, which the queue waits for before acting after it.
 */
import type { Logger } from '@sdr/core';
import type { RawData, WebSocket } from 'ws';
import type { VoiceTurns } from '../voice-turns.js';
import { parseRelayMessage, relayEnd, relayText, type RelayInbound, type RelaySetup } from './relay-protocol.js';

/** Options of `runConversationRelaySession`. */
export interface ConversationRelaySessionOptions {
  /** The accepted ConversationRelay WebSocket (package `ws`). */
  readonly socket: WebSocket;
  readonly logger: Logger;
  /** Opens the call's conversation when Twilio's `setup` arrives (finds or creates the lead). */
  readonly open: (setup: RelaySetup) => Promise<VoiceTurns>;
  /** Told when a reply's first token leaves (the benchmark measures with it). */
  readonly onFirstToken?: () => void;
}

/** How a session ended. */
export interface RelaySessionResult {
  /** `closed`: the socket closed (hang-up); `handoff`: the session sent `end` to transfer the call. */
  readonly ended: 'closed' | 'handoff';
  readonly handoff?: { readonly reason: string };
  readonly callSid: string | null;
}

interface Speaking {
  readonly generation: number;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const openState = 1;

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** Runs one call until the socket closes (see the module comment). */
export function runConversationRelaySession(options: ConversationRelaySessionOptions): Promise<RelaySessionResult> {
  const { socket, logger } = options;
  let turns: VoiceTurns | null = null;
  let callSid: string | null = null;
  let generation = 0;
  let speaking: Speaking | null = null;
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  let handoff: { readonly reason: string } | undefined;
  const handedOff = () => handoff !== undefined;

  const send = (frame: string) => {
    if (!closed && socket.readyState === openState) socket.send(frame);
  };
  const failed = (what: string, error: unknown) => {
    logger.error({ callSid, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, what);
  };

  const stream = async (mine: number, text: string, controller: AbortController, active: VoiceTurns): Promise<void> => {
    let first = true;
    try {
      for await (const chunk of active.reply(text, controller.signal)) {
        if (mine !== generation || closed) break;
        if (chunk === '') continue;
        if (first) {
          first = false;
          options.onFirstToken?.();
        }
        send(relayText(chunk, false));
      }
    } catch (error) {
      failed('voice reply failed', error);
    }
    if (mine !== generation || closed) return;
    send(relayText('', true));
    if (active.handoff !== undefined && handoff === undefined) {
      handoff = active.handoff;
      send(relayEnd({ reason: handoff.reason }));
      logger.info({ callSid }, 'voice call handed off');
    }
  };

  const handle = async (message: RelayInbound, mine: number): Promise<void> => {
    switch (message.type) {
      case 'setup': {
        if (turns !== null) return;
        callSid = message.callSid;
        try {
          turns = await options.open(message);
        } catch (error) {
          // No conversation, no call: closing makes Twilio run the action URL (a person, or hang up).
          failed('voice call could not be opened', error);
          socket.close(1011, 'call could not be opened');
          return;
        }
        const greeting = await turns.greeting();
        // Recorded as said, so it is said even when the caller already spoke: the queue holds
        // the caller's prompt until the greeting has left.
        if (greeting !== '') send(relayText(greeting, true));
        return;
      }
      case 'prompt': {
        if (!message.last || turns === null || handoff !== undefined) return;
        await speaking?.done;
        if (mine !== generation || closed) return;
        const controller = new AbortController();
        const active = turns;
        speaking = { generation: mine, controller, done: stream(mine, message.text, controller, active) };
        return;
      }
      case 'interrupt': {
        await speaking?.done;
        await turns?.interrupted(message.heard);
        return;
      }
      case 'dtmf': {
        await turns?.dtmf(message.digit);
        // A digit may hand the call over (a person asked for): once no reply is being spoken, end.
        if (turns?.handoff === undefined || handoff !== undefined) return;
        await speaking?.done;
        // The reply just finished may have ended the call already (read through a call: it changed meanwhile).
        if (handedOff()) return;
        handoff = turns.handoff;
        send(relayEnd({ reason: handoff.reason }));
        logger.info({ callSid }, 'voice call handed off');
        return;
      }
      case 'error':
        logger.warn({ callSid, description: message.description.slice(0, 300) }, 'ConversationRelay reported an error');
        return;
      case 'other':
        logger.debug({ callSid, type: message.name.slice(0, 40) }, 'ConversationRelay message ignored');
        return;
    }
  };

  return new Promise((resolve) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        logger.warn({ callSid }, 'ConversationRelay sent a binary frame: ignored');
        return;
      }
      let message: RelayInbound;
      try {
        message = parseRelayMessage(textOf(data));
      } catch (error) {
        logger.warn(
          { callSid, error: error instanceof Error ? error.message.slice(0, 300) : 'unreadable' },
          'ConversationRelay frame refused',
        );
        return;
      }
      // A newer prompt or an interrupt silences the current reply now, not when the queue reaches it.
      if (message.type === 'interrupt' || (message.type === 'prompt' && message.last)) {
        generation += 1;
        speaking?.controller.abort();
      }
      const mine = generation;
      queue = queue.then(() => handle(message, mine)).catch((error: unknown) => failed(`voice ${message.type} failed`, error));
    });
    socket.on('error', (error) => failed('voice socket error', error));
    socket.on('close', () => {
      closed = true;
      generation += 1;
      speaking?.controller.abort();
      queue = queue
        .then(async () => {
          await speaking?.done;
          await turns?.end();
        })
        .catch((error: unknown) => failed('voice call end failed', error))
        .then(() =>
          resolve({ ended: handoff === undefined ? 'closed' : 'handoff', ...(handoff === undefined ? {} : { handoff }), callSid }),
        );
    });
  });
}
