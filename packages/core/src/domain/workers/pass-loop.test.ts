import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { recordingLogger } from '../dispatch/__fixtures__/dispatch-harness.js';
import { createPassLoop, type PassHeartbeat, type PassLoopOptions, type PassSignals } from './pass-loop.js';

const T0 = new Date('2026-03-02T12:00:00.000Z');

interface Report {
  readonly done: number;
}

function harness(overrides: Partial<PassLoopOptions<Report>> = {}) {
  const clock = new VirtualClock(T0);
  const logger = recordingLogger();
  const beats: PassHeartbeat<Report>[] = [];
  /** Offsets from T0 (ms) at which passes started. */
  const starts: number[] = [];
  const plan: (Report | Error)[] = [];
  const loop = createPassLoop<Report>({
    name: 'test worker',
    clock,
    intervalMs: 1000,
    logger,
    onHeartbeat: (beat) => beats.push(beat),
    pass: () => {
      starts.push(clock.now().getTime() - T0.getTime());
      const next = plan.shift() ?? { done: 0 };
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    ...overrides,
  });
  return { clock, logger, beats, starts, plan, loop };
}

/** A pass that only ends when told to (or never), recording the signals it received. */
function blockingPass() {
  const seen: PassSignals[] = [];
  let finish: (report: Report) => void = () => undefined;
  const pass = (signals: PassSignals) => {
    seen.push(signals);
    return new Promise<Report>((resolve) => {
      finish = resolve;
    });
  };
  return { seen, pass, finish: (report: Report) => finish(report) };
}

describe('pass loop', () => {
  it('reports a heartbeat after every pass with what it did, and waits the interval between passes', async () => {
    const h = harness();
    h.plan.push({ done: 3 }, { done: 0 }, { done: 1 });
    expect(h.loop.start()).toBe(true);
    expect(h.loop.start()).toBe(false);
    await h.clock.advance(2500);
    expect(h.starts).toEqual([0, 1000, 2000]);
    expect(h.beats.map((beat) => [beat.at.getTime() - T0.getTime(), beat.report.done])).toEqual([
      [0, 3],
      [1000, 0],
      [2000, 1],
    ]);
    expect(h.loop.lastHeartbeatAt).toEqual(new Date(T0.getTime() + 2000));
    await h.loop.stop();
    expect(h.loop.running).toBe(false);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('with waitFirst, starts with the interval instead of a pass', async () => {
    const h = harness({ waitFirst: true });
    h.loop.start();
    await h.clock.advance(2500);
    expect(h.starts).toEqual([1000, 2000]);
    await h.loop.stop();
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('runs the next pass at once while a pass reports more work', async () => {
    const h = harness({ more: (report) => report.done >= 10 });
    h.plan.push({ done: 10 }, { done: 10 }, { done: 4 });
    h.loop.start();
    await h.clock.advance(1500);
    expect(h.starts).toEqual([0, 0, 0, 1000]);
    await h.loop.stop();
  });

  it('logs a failed pass, reports no heartbeat for it, and goes on after the interval', async () => {
    const h = harness({ logFields: { workerId: 'w-1' } });
    h.plan.push(new Error('store down'), { done: 2 });
    h.loop.start();
    await h.clock.advance(0);
    expect(h.beats).toEqual([]);
    expect(h.loop.lastHeartbeatAt).toBeNull();
    expect(h.logger.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'test worker pass failed; trying again after the poll interval',
        context: expect.objectContaining({ workerId: 'w-1', worker: 'test worker', error: expect.stringContaining('store down') }),
      }),
    ]);
    await h.clock.advance(1000);
    expect(h.starts).toEqual([0, 1000]);
    expect(h.beats.map((beat) => beat.report)).toEqual([{ done: 2 }]);
    await h.loop.stop();
  });

  it('a heartbeat listener that throws is logged and stops nothing', async () => {
    const h = harness({
      onHeartbeat: () => {
        throw new Error('listener broke');
      },
    });
    h.loop.start();
    await h.clock.advance(1000);
    expect(h.starts).toEqual([0, 1000]);
    expect(h.logger.lines.filter((line) => line.message === 'test worker heartbeat listener failed')).toHaveLength(2);
    await h.loop.stop();
  });

  it('stop lets the pass in flight finish before the deadline, and aborts its stop signal at once', async () => {
    const blocking = blockingPass();
    const h = harness({ pass: blocking.pass });
    h.loop.start();
    await h.clock.advance(0);
    let stopped = false;
    const stopping = h.loop.stop({ deadlineMs: 10_000 }).then(() => {
      stopped = true;
    });
    const [signals] = blocking.seen;
    expect(signals?.signal.aborted).toBe(true);
    expect(signals?.signal.reason).toBeInstanceOf(ConflictError);
    await h.clock.advance(4000);
    expect(stopped).toBe(false);
    blocking.finish({ done: 1 });
    await stopping;
    expect(h.clock.now()).toEqual(new Date(T0.getTime() + 4000));
    expect(signals?.abandon.aborted).toBe(false);
    expect(h.beats.map((beat) => beat.report)).toEqual([{ done: 1 }]);
    expect(h.clock.pendingTimers).toBe(0);
    expect(blocking.seen).toHaveLength(1);
  });

  it('stop waits no longer than the deadline: the pass is abandoned and the loop can start again', async () => {
    const blocking = blockingPass();
    const h = harness({ pass: blocking.pass });
    h.loop.start();
    await h.clock.advance(0);
    let stopped = false;
    const stopping = h.loop.stop({ deadlineMs: 5000 }).then(() => {
      stopped = true;
    });
    expect(() => h.loop.start()).toThrow(ConflictError);
    await h.clock.advance(4999);
    expect(stopped).toBe(false);
    await h.clock.advance(1);
    await stopping;
    expect(h.clock.now()).toEqual(new Date(T0.getTime() + 5000));
    expect(blocking.seen[0]?.abandon.aborted).toBe(true);
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'test worker stop deadline passed: the pass in flight is abandoned' }),
    );
    expect(h.loop.running).toBe(false);
    // A new run gets fresh signals.
    expect(h.loop.start()).toBe(true);
    await h.clock.advance(0);
    expect(blocking.seen[1]?.signal.aborted).toBe(false);
    expect(blocking.seen[1]?.abandon.aborted).toBe(false);
    const again = h.loop.stop({ deadlineMs: 0 });
    await again;
    expect(blocking.seen[1]?.abandon.aborted).toBe(true);
  });

  it('the default deadline is the stopDeadlineMs option, and a stop also waits for runOnce passes', async () => {
    const blocking = blockingPass();
    const h = harness({ pass: blocking.pass, stopDeadlineMs: 2000 });
    const once = h.loop.runOnce();
    let stopped = false;
    const stopping = h.loop.stop().then(() => {
      stopped = true;
    });
    await h.clock.advance(1999);
    expect(stopped).toBe(false);
    await h.clock.advance(1);
    await stopping;
    blocking.finish({ done: 5 });
    expect(await once).toEqual({ done: 5 });
  });

  it('grows the idle wait with idleBackoff and returns to the interval after a pass that did something', async () => {
    const h = harness({ idle: (report) => report.done === 0, idleBackoff: { factor: 2, maxIntervalMs: 5000 } });
    h.plan.push({ done: 0 }, { done: 0 }, { done: 0 }, { done: 0 }, { done: 0 }, { done: 1 }, { done: 0 });
    h.loop.start();
    await h.clock.advance(30_000);
    // Waits: 1 s, 2 s, 4 s, 5 s (capped), 5 s, then 1 s after the busy pass, then 1 s after the first idle one.
    expect(h.starts.slice(0, 8)).toEqual([0, 1000, 3000, 7000, 12_000, 17_000, 18_000, 19_000]);
    await h.loop.stop();
  });

  it('adds jitter to each wait', async () => {
    const h = harness({ jitterMs: 400, random: () => 0.5 });
    h.loop.start();
    await h.clock.advance(2500);
    expect(h.starts).toEqual([0, 1200, 2400]);
    await h.loop.stop();
  });

  it('refuses bad options and a negative stop deadline, naming them', async () => {
    const base = { name: 'w', clock: new VirtualClock(T0), intervalMs: 1000, pass: () => Promise.resolve(1) };
    expect(() => createPassLoop({ ...base, intervalMs: -1 })).toThrow(/intervalMs/);
    expect(() => createPassLoop({ ...base, name: ' ' })).toThrow(ValidationError);
    expect(() => createPassLoop({ ...base, jitterMs: Number.NaN })).toThrow(/jitterMs/);
    expect(() => createPassLoop({ ...base, idleBackoff: { factor: 0.5, maxIntervalMs: 5000 } })).toThrow(/idleBackoff.factor/);
    expect(() => createPassLoop({ ...base, idleBackoff: { factor: 2, maxIntervalMs: 10 } })).toThrow(/idleBackoff.maxIntervalMs/);
    await expect(createPassLoop(base).stop({ deadlineMs: -1 })).rejects.toThrow(/deadlineMs/);
  });
});
