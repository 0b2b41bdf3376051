import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bargeInStep, initialBargeInState, type BargeInCommand, type BargeInEvent, type BargeInState } from './barge-in.js';
import { heardText } from './heard-text.js';

function run(events: readonly BargeInEvent[], from: BargeInState = initialBargeInState) {
  let state = from;
  const commands: BargeInCommand[] = [];
  for (const event of events) {
    const step = bargeInStep(state, event);
    state = step.state;
    commands.push(...step.commands);
  }
  return { state, commands };
}

const audio = (bytes: number) => new Uint8Array(bytes);

describe('barge-in state machine', () => {
  it('answers a whole utterance once the recogniser ends it, and plays the reply to its end', () => {
    const { state, commands } = run([
      { type: 'transcript', text: 'quero', isFinal: false, endOfUtterance: false, atMs: 0 },
      { type: 'transcript', text: 'quero marcar', isFinal: true, endOfUtterance: false, atMs: 10 },
      { type: 'transcript', text: 'amanhã', isFinal: true, endOfUtterance: true, atMs: 20 },
      { type: 'reply-chunk', generation: 1, text: 'Claro, ' },
      { type: 'reply-chunk', generation: 1, text: 'às 10h?' },
      { type: 'reply-done', generation: 1 },
      { type: 'speech-audio', audio: audio(800) },
      { type: 'speech-flushed' },
      { type: 'playback-ended', generation: 1 },
    ]);
    expect(commands.map((command) => command.type)).toEqual([
      'start-reply',
      'speak',
      'speak',
      'flush-speech',
      'play',
      'end-playback',
      'reply-finished',
    ]);
    expect(commands[0]).toEqual({ type: 'start-reply', generation: 1, utterance: 'quero marcar amanhã' });
    expect(state).toMatchObject({ phase: 'listening', reply: undefined, pendingUtterance: [] });
  });

  it('on speech while speaking: clears Twilio and the synthesiser, aborts the model, keeps what the media clock says was heard', () => {
    const { state, commands } = run([
      { type: 'transcript', text: 'oi', isFinal: true, endOfUtterance: true, atMs: 0 },
      { type: 'reply-chunk', generation: 1, text: 'Olá! Temos horários amanhã de manhã e à tarde' },
      { type: 'speech-audio', audio: audio(16_000) },
      { type: 'audio-sent', generation: 1, bytes: 8000, atMs: 1000 },
      { type: 'mark-played', generation: 1, bytes: 4000, atMs: 1400 },
      // 4000 bytes confirmed + 100 ms since ⇒ 4800 bytes = 0.6 s ⇒ 9 characters at 15 per second.
      { type: 'speech-started', atMs: 1500 },
      { type: 'speech-audio', audio: audio(800) },
      { type: 'reply-chunk', generation: 1, text: ' stale' },
    ]);
    expect(commands.slice(-4)).toEqual([
      { type: 'clear-playback', generation: 1, reason: 'barge-in: speech started while speaking' },
      { type: 'clear-speech', generation: 1, reason: 'barge-in: speech started while speaking' },
      { type: 'abort-reply', generation: 1, reason: 'barge-in: speech started while speaking' },
      { type: 'record-interruption', generation: 1, heard: 'Olá!', reason: 'barge-in: speech started while speaking' },
    ]);
    expect(state.phase).toBe('listening');
  });

  it('maps played bytes onto the text once all the audio is known, cutting half-heard words', () => {
    const clock = { bytesQueued: 8000, bytesSent: 8000, bytesConfirmed: 4000, confirmedAtMs: 0 };
    const options = { bytesPerSecond: 8000, charactersPerSecond: 15 };
    expect(heardText({ text: 'one two three four', speechComplete: true, clock, atMs: 0, options })).toBe('one two');
    expect(heardText({ text: 'one two three four', speechComplete: true, clock, atMs: 10_000, options })).toBe('one two three four');
    expect(
      heardText({ text: 'one two three four', speechComplete: true, clock: { ...clock, confirmedAtMs: undefined }, atMs: 10, options }),
    ).toBe('');
  });
});

// ---- property tests: random interleavings of everything the world can do ----

type Action =
  | { kind: 'speech-started' }
  | { kind: 'final'; endOfUtterance: boolean }
  | { kind: 'interim' }
  | { kind: 'utterance-end' }
  | { kind: 'chunk'; pick: number }
  | { kind: 'done'; pick: number }
  | { kind: 'tts-audio'; bytes: number }
  | { kind: 'tts-flushed' }
  | { kind: 'sent'; pick: number; bytes: number }
  | { kind: 'mark'; pick: number; bytes: number }
  | { kind: 'ended'; pick: number }
  | { kind: 'tick'; ms: number };

// Caller events are rarer than the agent's output, as on a real call, so replies get to play.
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'speech-started' as const }) },
  { weight: 2, arbitrary: fc.boolean().map((endOfUtterance) => ({ kind: 'final' as const, endOfUtterance })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'interim' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'utterance-end' as const }) },
  { weight: 4, arbitrary: fc.nat(3).map((pick) => ({ kind: 'chunk' as const, pick: pick === 3 ? 1 : 0 })) },
  { weight: 2, arbitrary: fc.nat(3).map((pick) => ({ kind: 'done' as const, pick: pick === 3 ? 1 : 0 })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 2000 }).map((bytes) => ({ kind: 'tts-audio' as const, bytes })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'tts-flushed' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .record({ pick: fc.nat(1), bytes: fc.integer({ min: 1, max: 800 }) })
      .map((value) => ({ kind: 'sent' as const, ...value })),
  },
  { weight: 2, arbitrary: fc.record({ pick: fc.nat(1), bytes: fc.nat(20_000) }).map((value) => ({ kind: 'mark' as const, ...value })) },
  { weight: 2, arbitrary: fc.nat(2).map((pick) => ({ kind: 'ended' as const, pick: pick === 2 ? 1 : 0 })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 500 }).map((ms) => ({ kind: 'tick' as const, ms })) },
);

/** Drives the machine with a world that may answer late, for stale generations, in any order. */
function simulate(actions: readonly Action[], withGreeting: boolean) {
  let state = initialBargeInState;
  let now = 0;
  let words = 0;
  const finals: string[] = [];
  const log: { event: BargeInEvent; commands: readonly BargeInCommand[]; before: BargeInState; after: BargeInState }[] = [];
  // Generations the machine started, newest last: the world answers any of them, stale included.
  const started: number[] = [];
  const apply = (event: BargeInEvent) => {
    const before = state;
    const step = bargeInStep(state, event);
    state = step.state;
    log.push({ event, commands: step.commands, before, after: state });
    for (const command of step.commands) if (command.type === 'start-reply') started.push(command.generation);
  };
  const pickGeneration = (pick: number) => started[Math.max(0, started.length - 1 - pick)] ?? 1;
  if (withGreeting) {
    apply({ type: 'greeting', text: 'Olá, aqui é a clínica. Em que posso ajudar?' });
    started.push(1);
  }
  for (const next of actions) {
    switch (next.kind) {
      case 'speech-started':
        apply({ type: 'speech-started', atMs: now });
        break;
      case 'final': {
        words += 1;
        const text = `w${words}`;
        finals.push(text);
        apply({ type: 'transcript', text, isFinal: true, endOfUtterance: next.endOfUtterance, atMs: now });
        break;
      }
      case 'interim':
        apply({ type: 'transcript', text: `w${words + 1}`, isFinal: false, endOfUtterance: false, atMs: now });
        break;
      case 'utterance-end':
        apply({ type: 'utterance-end' });
        break;
      case 'chunk':
        apply({ type: 'reply-chunk', generation: pickGeneration(next.pick), text: `c${log.length} ` });
        break;
      case 'done':
        apply({ type: 'reply-done', generation: pickGeneration(next.pick) });
        break;
      case 'tts-audio':
        apply({ type: 'speech-audio', audio: new Uint8Array(next.bytes) });
        break;
      case 'tts-flushed':
        apply({ type: 'speech-flushed' });
        break;
      case 'sent':
        apply({ type: 'audio-sent', generation: pickGeneration(next.pick), bytes: next.bytes, atMs: now });
        break;
      case 'mark':
        apply({ type: 'mark-played', generation: pickGeneration(next.pick), bytes: next.bytes, atMs: now });
        break;
      case 'ended':
        apply({ type: 'playback-ended', generation: pickGeneration(next.pick) });
        break;
      case 'tick':
        now += next.ms;
        break;
    }
  }
  return { state, log, finals };
}

const scenarios = fc.record({ actions: fc.array(action, { minLength: 20, maxLength: 150 }), withGreeting: fc.boolean() });

describe('barge-in properties over random interleavings', () => {
  it('plays no audio after a barge-in until the next reply, and only the live reply’s audio', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, withGreeting }) => {
        const { log } = simulate(actions, withGreeting);
        const silenced = new Set<number>();
        let live: number | undefined;
        for (const { commands } of log) {
          for (const command of commands) {
            if (command.type === 'start-reply') live = command.generation;
            if (command.type === 'record-interruption') silenced.add(command.generation);
            if (command.type === 'play') {
              expect(silenced.has(command.generation)).toBe(false);
              expect(command.generation).toBe(live ?? 1);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never runs two replies at once: each reply is finished or interrupted before the next starts', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, withGreeting }) => {
        const { log } = simulate(actions, withGreeting);
        let open: number | undefined = withGreeting ? 1 : undefined;
        for (const { commands } of log) {
          for (const command of commands) {
            if (command.type === 'start-reply') {
              expect(open).toBeUndefined();
              open = command.generation;
            }
            if (command.type === 'reply-finished' || command.type === 'record-interruption') {
              expect(command.generation).toBe(open);
              open = undefined;
            }
            if (command.type === 'speak' || command.type === 'play' || command.type === 'flush-speech' || command.type === 'end-playback') {
              expect(command.generation).toBe(open);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('loses nothing from the transcript: every final word is answered once, in order, or still pending', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, withGreeting }) => {
        const { log, finals, state } = simulate(actions, withGreeting);
        const answered = log.flatMap(({ commands }) =>
          commands.flatMap((command) => (command.type === 'start-reply' ? command.utterance.split(' ') : [])),
        );
        expect([...answered, ...state.pendingUtterance]).toEqual(finals);
      }),
      { numRuns: 500 },
    );
  });

  it('records as heard only a prefix of what was given to the synthesiser for that reply', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, withGreeting }) => {
        const { log } = simulate(actions, withGreeting);
        const spoken = new Map<number, string>();
        for (const { commands } of log) {
          for (const command of commands) {
            if (command.type === 'speak') spoken.set(command.generation, (spoken.get(command.generation) ?? '') + command.text);
            if (command.type === 'record-interruption') expect((spoken.get(command.generation) ?? '').startsWith(command.heard)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the phase consistent with the reply (listening ⇔ no reply) and answers nothing while a reply is live', () => {
    fc.assert(
      fc.property(scenarios, ({ actions, withGreeting }) => {
        const { log } = simulate(actions, withGreeting);
        for (const { after } of log) {
          expect(after.phase === 'listening').toBe(after.reply === undefined);
          if (after.phase !== 'listening') expect(after.pendingUtterance).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the random world reaches the interesting cases', () => {
  it('produces replies that play audio and barge-ins that clear it (so the properties above are not vacuous)', () => {
    let played = 0;
    let clearedWhilePlaying = 0;
    let finished = 0;
    for (const { actions, withGreeting } of fc.sample(scenarios, { numRuns: 300, seed: 18 })) {
      const commands = simulate(actions, withGreeting).log.flatMap((entry) => entry.commands);
      played += commands.filter((command) => command.type === 'play').length;
      clearedWhilePlaying += commands.filter((command) => command.type === 'clear-playback').length;
      finished += commands.filter((command) => command.type === 'reply-finished').length;
    }
    expect(played).toBeGreaterThan(200);
    expect(clearedWhilePlaying).toBeGreaterThan(50);
    expect(finished).toBeGreaterThan(50);
  });
});
