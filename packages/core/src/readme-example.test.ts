// The README's smallest working use, run as written: a reader who copies it gets what it says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README of @sdr/core', () => {
  it('its example schedules re-engagement #1 after the answer', async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'a ts code block in the README').toBeDefined();
    const lines: unknown[][] = [];
    const log = (...args: unknown[]) => lines.push(args);
    const core = await import('./index.js');
    const testing = await import('./testing/index.js');
    const body = (code ?? '')
      .replace(/^import \{([^}]*)\} from '@sdr\/core';$/m, 'const {$1} = core;')
      .replace(/^import \{([^}]*)\} from '@sdr\/core\/testing';$/m, 'const {$1} = testing;')
      .replaceAll('console.log(', 'log(');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the README's own code is what this test runs
    const run = new Function('core', 'testing', 'log', `return (async () => {\n${body}\n})();`) as (
      c: unknown,
      t: unknown,
      l: typeof log,
    ) => Promise<void>;
    await run(core, testing, log);
    expect(lines).toHaveLength(1);
    // Answered at 11:00 São Paulo time on a Friday: 30 minutes later is within business hours.
    expect(lines[0]?.slice(0, 2)).toEqual(['reengage_1', '2026-03-06T14:30:00.000Z']);
  }, 60_000);
});
