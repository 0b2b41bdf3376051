import { describe, expect, it } from 'vitest';
import { retryOnDeadlock } from './deadlock-retry.js';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

describe('retryOnDeadlock', () => {
  it('runs a statement that lost a deadlock again, and returns its result', async () => {
    let calls = 0;
    const result = await retryOnDeadlock(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(deadlock()) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after four attempts with the deadlock error', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(() => {
        calls += 1;
        return Promise.reject(deadlock());
      }),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(4);
  });

  it('never repeats a statement that failed for another reason', async () => {
    let calls = 0;
    const exclusion = Object.assign(new Error('conflicting key value violates exclusion constraint'), { code: '23P01' });
    await expect(
      retryOnDeadlock(() => {
        calls += 1;
        return Promise.reject(exclusion);
      }),
    ).rejects.toBe(exclusion);
    expect(calls).toBe(1);
  });
});
