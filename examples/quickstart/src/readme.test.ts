import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);

describe('README example', () => {
  it('is exactly examples/quickstart/src/main.ts, so the published example compiles', async () => {
    const [readme, example] = await Promise.all([
      readFile(new URL('README.md', root), 'utf8'),
      readFile(new URL('main.ts', import.meta.url), 'utf8'),
    ]);
    const block = /## Use `@sdr\/core`[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(example);
  });

  it('runs: one lead, the re-delivery ignored, re-engagement #1 at the next opening, a simulated journey', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('..', import.meta.url),
    });
    expect(stdout).toContain('lead +55119****4321 (found again with the 9th digit: true); the re-delivery was a duplicate');
    expect(stdout).toContain('reengage_1 due seg., 9 de mar. de 2026, 09:00: {"rule":"4.2.1"');
    expect(stdout).toContain('"shifts":[{"type":"business_hours","from":"2026-03-06T21:20:00.000Z","to":"2026-03-09T12:00:00.000Z"}]');
    expect(stdout).toContain('2026-03-02T13:30:00.000Z reengage_1: Oi Ana, tudo bem?');
    expect(stdout).toContain('2026-03-03T11:00:00.000Z reminder_2h: Ana, nossa reunião começa em breve: 03/03/2026, às 09:00. Até já!');
  });
});
