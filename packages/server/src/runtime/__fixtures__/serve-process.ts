/**
 * Runs `sdr serve` as a real child process — the CLI from source, as `pnpm sdr serve` does — in
 * one role, and resolves once its banner says where it serves: the API's URL for `api` and
 * `all`, the probe listener's URL for `worker`. Used by the topology test and the soak bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../cli.ts', import.meta.url));

/** A started `sdr serve` process. */
export interface ServeProcess {
  readonly role: 'api' | 'worker';
  readonly child: ChildProcess;
  /** Where the API listens (`api`), or where the probes and metrics are served (`worker`). */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string;
  /** Resolves with the exit code once it exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `sdr serve` in `role` on `env` (plus `PATH`); rejects when it exits or prints no banner within `timeoutMs`. */
export function serveProcess(role: 'api' | 'worker', env: Readonly<Record<string, string>>, timeoutMs = 90_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env, SDR_ROLE: role },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The API prints "listening on <url>"; a worker prints its probes' "metrics: <url>/metrics".
  const where = role === 'api' ? /listening on (http:\/\/[^\s,]+)/ : /metrics: (http:\/\/\S+)\/metrics/;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role}: no banner within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.includes(`@sdr server — role ${role}`) ? where.exec(output)?.[1] : undefined;
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ role, child, url, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited with ${String(code)} before serving:\n${output}`));
    });
  });
}
