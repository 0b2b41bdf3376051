/**
 * `sdr serve` as a newcomer runs it, for the console's scripts and browser tests: a child process
 * of the server's command line on the embedded default (PGlite in a temporary directory), on a
 * free port of 127.0.0.1. It resolves once the banner names the URL, with the demo tenant's key
 * the banner printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo's root. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

const cli = join(repositoryRoot, 'packages', 'server', 'src', 'cli.ts');

/** The public base URL the server's OpenAPI document names (the server's default). */
export const documentBaseUrl = 'http://127.0.0.1:3000';

/** A running `sdr serve`. */
export interface SdrServe {
  readonly url: string;
  /** The demo tenant's API key, as printed in the banner. */
  readonly demoKey: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit and removes the data directory. */
  stop(): Promise<void>;
}

/** Starts `sdr serve`; `env` adds variables (the operator key, quicker workers…). */
export async function startSdrServe(env: Readonly<Record<string, string>> = {}): Promise<SdrServe> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sdr-console-'));
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      SDR_DATA_DIR: dataDir,
      PORT: '0',
      SDR_PUBLIC_BASE_URL: documentBaseUrl,
      SDR_LOG_LEVEL: 'warn',
      // The browser tests move the sandbox clock and expect the follow-up sent at whatever hour
      // they run: the demo tenant is created open at any hour.
      SDR_DEMO_ALWAYS_OPEN: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, demoKey } = await new Promise<{ url: string; demoKey: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sdr serve printed no banner within 90 s:\n${output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /listening on (http:\/\/[^\s,]+)/.exec(output)?.[1];
        const demoKey = /API key \(shown once[^)]*\): (\S+)/.exec(output)?.[1];
        if (url !== undefined && demoKey !== undefined) {
          clearTimeout(timer);
          resolve({ url, demoKey });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`sdr serve exited with ${String(code)} before serving:\n${output}`));
      });
    });
    return { url, demoKey, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
