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

  it('runs and sends one re-engagement at the next opening', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('..', import.meta.url),
    });
    expect(stdout).toContain('equals +55 11 98765-4321: true');
    expect(stdout).toContain('scheduled once (second call created a row: false)');
    expect(stdout).toContain('sent 1 message to +55119****4321 at 09/03/2026, 09:00');
  });
});
