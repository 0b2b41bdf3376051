import { ValidationError, systemClock } from '@sdr/core';
import { expect, it } from 'vitest';
import { describeEachDriver, minute } from './__fixtures__/observability-database.js';
import { createHeartbeats } from './heartbeats.js';

describeEachDriver('createHeartbeats', (database) => {
  it('shares the beats of two processes on one database; latest is the newest across them', async () => {
    const { clock } = await database().fresh();
    const first = createHeartbeats({ db: database().database, clock, processId: 'host-a:101' });
    const second = createHeartbeats({ db: database().database, clock, processId: 'host-b:202' });

    expect(await first.latest('dispatcher')).toBeNull();
    const started = clock.now();
    await first.beat('dispatcher-a', 'dispatcher');
    await clock.advance(minute);
    await second.beat('dispatcher-b', 'dispatcher');
    await second.beat('sync-b', 'sync');

    expect(await first.latest('dispatcher')).toEqual({
      workerId: 'dispatcher-b',
      component: 'dispatcher',
      processId: 'host-b:202',
      startedAt: clock.now(),
      lastBeatAt: clock.now(),
    });
    await clock.advance(minute);
    const again = await first.beat('dispatcher-a', 'dispatcher');
    expect(again).toMatchObject({ startedAt: started, lastBeatAt: clock.now() });
    expect((await second.latest('dispatcher'))?.workerId).toBe('dispatcher-a');
    expect((await second.list()).map((beat) => beat.workerId)).toEqual(['dispatcher-a', 'dispatcher-b', 'sync-b']);
    const rows = await database().sql<{ count: number }>('SELECT count(*)::int AS count FROM sdr_server.worker_heartbeats');
    expect(rows[0]?.count).toBe(3);
  });

  it('restarts the life of a worker id another process takes over, and forgets a stopped worker', async () => {
    const { clock } = await database().fresh();
    const first = createHeartbeats({ db: database().database, clock, processId: 'host-a:101' });
    const second = createHeartbeats({ db: database().database, clock, processId: 'host-b:202' });
    await first.beat('alerts', 'alerts');
    await clock.advance(5 * minute);
    expect(await second.beat('alerts', 'alerts')).toMatchObject({ processId: 'host-b:202', startedAt: clock.now() });

    await second.forget('alerts');
    await second.forget('alerts');
    expect(await first.list()).toEqual([]);
    expect(await first.latest('alerts')).toBeNull();
  });

  it('refuses bad names before touching the database', () => {
    const clock = systemClock;
    expect(() => createHeartbeats({ db: database().database, clock, processId: ' ' })).toThrow(ValidationError);
    expect(() => createHeartbeats({ db: database().database, clock, processId: 'p', schema: 'x; DROP TABLE y' })).toThrow(
      expect.objectContaining({ fieldErrors: [{ field: 'schema', message: 'must be a lower-case SQL identifier' }] }) as Error,
    );
    const heartbeats = createHeartbeats({ db: database().database, clock, processId: 'p' });
    return expect(heartbeats.beat('', 'dispatcher')).rejects.toThrow(ValidationError);
  });
});
