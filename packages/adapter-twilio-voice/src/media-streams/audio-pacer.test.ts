import { VirtualClock } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { createAudioPacer } from './audio-pacer.js';

function pacedOn(clock: VirtualClock) {
  const sent: { atMs: number; what: string }[] = [];
  const reported: { generation: number; bytes: number; atMs: number }[] = [];
  const pacer = createAudioPacer({
    clock,
    leadMs: 40,
    sendAudio: (frame) => sent.push({ atMs: clock.now().getTime(), what: `audio:${frame.byteLength}:${frame[0] ?? -1}` }),
    sendMark: (name) => sent.push({ atMs: clock.now().getTime(), what: `mark:${name}` }),
    onAudioSent: (generation, bytes, atMs) => reported.push({ generation, bytes, atMs }),
  });
  return { pacer, sent, reported };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('audio pacer', () => {
  it('sends 160-byte frames no more than the lead ahead of real time, with progress marks and queued marks in order', async () => {
    const clock = new VirtualClock(0);
    const { pacer, sent, reported } = pacedOn(clock);
    // 0.2 s of audio in uneven chunks, then an end mark.
    pacer.enqueue(1, new Uint8Array(700).fill(1));
    pacer.enqueue(1, new Uint8Array(900).fill(1));
    pacer.enqueueMark('e:1');
    await settle();
    // At t=0 only the lead (40 ms = 2 frames) plus the frame being played go out.
    expect(sent.filter((entry) => entry.what.startsWith('audio')).length).toBe(3);

    for (let step = 0; step < 20; step += 1) {
      await clock.advance(20);
      await settle();
    }
    const audio = sent.filter((entry) => entry.what.startsWith('audio'));
    expect(audio.map((entry) => entry.what)).toEqual(Array<string>(10).fill('audio:160:1'));
    // Frame n leaves no earlier than (n − 2) × 20 ms: paced, not burst.
    audio.forEach((entry, index) => expect(entry.atMs).toBeGreaterThanOrEqual((index - 2) * 20));
    expect(sent.filter((entry) => entry.what.startsWith('mark')).map((entry) => entry.what)).toEqual([
      'mark:p:1:800',
      'mark:p:1:1600',
      'mark:e:1',
    ]);
    expect(sent.at(-1)?.what).toBe('mark:e:1');
    expect(reported.reduce((total, entry) => total + entry.bytes, 0)).toBe(1600);
  });

  it('drops everything queued on clear, and plays the next generation from now', async () => {
    const clock = new VirtualClock(0);
    const { pacer, sent } = pacedOn(clock);
    pacer.enqueue(1, new Uint8Array(8000).fill(1));
    pacer.enqueueMark('e:1');
    await settle();
    await clock.advance(100);
    await settle();
    pacer.clear();
    const atClear = sent.length;
    pacer.enqueue(2, new Uint8Array(320).fill(2));
    await settle();
    await clock.advance(100);
    await settle();

    const after = sent.slice(atClear).map((entry) => entry.what);
    expect(after).toEqual(['audio:160:2', 'audio:160:2', 'mark:p:2:320']);
    pacer.stop();
    pacer.enqueue(3, new Uint8Array(160));
    await clock.advance(100);
    await settle();
    expect(sent.slice(atClear).length).toBe(3);
  });
});
