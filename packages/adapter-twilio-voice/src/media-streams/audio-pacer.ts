/**
 * Outbound audio paced near real time: 20 ms frames (160 bytes of μ-law at 8 kHz) sent no more
 * than `leadMs` ahead of playback, so little sits in Twilio's buffer when the caller barges in,
 * with progress marks that tell what has played.
 */
import type { Clock } from '@sdr/core';
import { mediaMarks } from './twilio-media-messages.js';

/** What the pacer needs. */
export interface AudioPacerOptions {
  readonly clock: Clock;
  readonly sendAudio: (frame: Uint8Array) => void;
  readonly sendMark: (name: string) => void;
  /** Called after each frame went out, with its generation, size and the send time. */
  readonly onAudioSent: (generation: number, bytes: number, atMs: number) => void;
  /** Default 160 (20 ms of μ-law at 8 kHz). */
  readonly frameBytes?: number;
  /** Default 20. */
  readonly frameMs?: number;
  /** How far ahead of real time audio may be sent; default 80 ms (a little jitter headroom). */
  readonly leadMs?: number | undefined;
  /** A progress mark after this many frames; default 5 (every 100 ms). */
  readonly progressMarkEveryFrames?: number;
}

/** The pacer's controls. */
export interface AudioPacer {
  /** Queues audio of one reply generation. */
  enqueue(generation: number, audio: Uint8Array): void;
  /** Queues a mark after the audio queued so far. */
  enqueueMark(name: string): void;
  /** Drops everything queued (barge-in); Twilio's own buffer is cleared by the caller. */
  clear(): void;
  /** Stops for good. */
  stop(): void;
}

type Item =
  | { readonly kind: 'audio'; readonly generation: number; readonly audio: Uint8Array; offset: number }
  | { readonly kind: 'mark'; readonly name: string };

/** Starts a pacer loop; it idles without timers when nothing is queued. */
export function createAudioPacer(options: AudioPacerOptions): AudioPacer {
  const frameBytes = options.frameBytes ?? 160;
  const frameMs = options.frameMs ?? 20;
  const leadMs = options.leadMs ?? 80;
  const markEvery = options.progressMarkEveryFrames ?? 5;
  const queue: Item[] = [];
  const sentByGeneration = new Map<number, number>();
  let playheadMs = 0;
  let framesSinceMark = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  let waiting: AbortController | undefined;

  const now = () => options.clock.now().getTime();
  const interrupt = () => {
    waiting?.abort();
    wake?.();
  };

  function takeFrame(): { generation: number; frame: Uint8Array } | undefined {
    const head = queue[0];
    if (head?.kind !== 'audio') return undefined;
    const parts: Uint8Array[] = [];
    let size = 0;
    // Fill one frame from consecutive audio of the same generation; a mark ends the frame early.
    while (size < frameBytes) {
      const item = queue[0];
      if (item?.kind !== 'audio' || item.generation !== head.generation) break;
      const take = Math.min(frameBytes - size, item.audio.byteLength - item.offset);
      parts.push(item.audio.subarray(item.offset, item.offset + take));
      size += take;
      item.offset += take;
      if (item.offset >= item.audio.byteLength) queue.shift();
    }
    const frame = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
    return { generation: head.generation, frame };
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      const head = queue[0];
      if (head === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (head.kind === 'mark') {
        queue.shift();
        options.sendMark(head.name);
        continue;
      }
      const at = now();
      // After an underrun or a clear, playback restarts from now.
      playheadMs = Math.max(playheadMs, at);
      const ahead = playheadMs - at;
      if (ahead > leadMs) {
        waiting = new AbortController();
        await options.clock.sleep(ahead - leadMs, waiting.signal).catch(() => undefined);
        waiting = undefined;
        continue;
      }
      const taken = takeFrame();
      if (taken === undefined) continue;
      options.sendAudio(taken.frame);
      playheadMs += (taken.frame.byteLength / frameBytes) * frameMs;
      const sent = (sentByGeneration.get(taken.generation) ?? 0) + taken.frame.byteLength;
      sentByGeneration.set(taken.generation, sent);
      options.onAudioSent(taken.generation, taken.frame.byteLength, at);
      framesSinceMark += 1;
      const next = queue[0];
      if (framesSinceMark >= markEvery || next === undefined || next.kind === 'mark' || next.generation !== taken.generation) {
        framesSinceMark = 0;
        options.sendMark(mediaMarks.progress(taken.generation, sent));
      }
    }
  }
  void loop();

  return {
    enqueue(generation, audio) {
      if (stopped || audio.byteLength === 0) return;
      queue.push({ kind: 'audio', generation, audio, offset: 0 });
      wake?.();
    },
    enqueueMark(name) {
      if (stopped) return;
      queue.push({ kind: 'mark', name });
      wake?.();
    },
    clear() {
      queue.length = 0;
      playheadMs = 0;
      framesSinceMark = 0;
      interrupt();
    },
    stop() {
      stopped = true;
      queue.length = 0;
      interrupt();
    },
  };
}
