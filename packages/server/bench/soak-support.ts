/**
 * What the soak bench (`soak.bench.ts`) measures with: requests timed and counted, progress on
 * stderr, the RSS of its processes and their shutdown.
 */
import { readFileSync } from 'node:fs';
import type { ServeProcess } from '../src/runtime/__fixtures__/serve-process.js';

/** One answered (or failed) request. */
export interface Sample {
  /** `POST /v1/leads/:id/messages`: the method and the path with ids replaced. */
  readonly route: string;
  readonly at: number;
  readonly ms: number;
  readonly status: number;
}

/** Sends the bench's requests and keeps what they answered. */
export interface Requester {
  /** A request to an API; records its latency and status, and returns the parsed body (null for a failure). */
  readonly call: (base: string, key: string, method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  /** `call`, with the type the 2xx body is known to have. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- names the documented 2xx body of the route called
  readonly typed: <Body>(
    base: string,
    key: string,
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: Body | null }>;
  /** Every answered or failed request so far. */
  readonly samples: readonly Sample[];
  /** Non-2xx answers (but a booking's 409) and failed requests, by route, status and answer. */
  readonly failures: ReadonlyMap<string, number>;
  /** The requests still unanswered: how many, and the oldest one's route and age. */
  readonly awaitingAnswer: () => string;
}

/**
 * A `Requester` whose requests time out after `timeoutMs` (then a failure with status 0): the end
 * of a run never waits on a request for longer.
 */
export function createRequester(timeoutMs: number): Requester {
  const samples: Sample[] = [];
  const failures = new Map<string, number>();
  /** Requests sent and not answered yet: their route and when they were sent. */
  const pending = new Map<symbol, { readonly route: string; readonly at: number }>();
  const fail = (label: string) => failures.set(label, (failures.get(label) ?? 0) + 1);

  const call: Requester['call'] = async (base, key, method, path, body) => {
    const started = performance.now();
    const route = `${method} ${path.replace(/[0-9a-f-]{36}/g, ':id').replace(/\?.*$/, '')}`;
    const id = Symbol(route);
    pending.set(id, { route, at: started });
    let status = 0;
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        signal: AbortSignal.timeout(timeoutMs),
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = response.status;
      const text = await response.text();
      if (status >= 400 && !(status === 409 && path.endsWith('/appointments'))) {
        fail(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} ${status}: ${text.slice(0, 160)}`);
      }
      return { status, body: status < 300 ? (JSON.parse(text) as unknown) : null };
    } catch (error) {
      fail(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')}: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 0, body: null };
    } finally {
      pending.delete(id);
      samples.push({ route, at: started, ms: performance.now() - started, status });
    }
  };

  return {
    call,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as on `Requester.typed`
    typed: async <Body>(...input: Parameters<typeof call>) => {
      const answer = await call(...input);
      return { status: answer.status, body: answer.body as Body | null };
    },
    samples,
    failures,
    awaitingAnswer: () => {
      let oldest: { readonly route: string; readonly at: number } | undefined;
      for (const request of pending.values()) if (oldest === undefined || request.at < oldest.at) oldest = request;
      if (oldest === undefined) return '0 requests unanswered';
      return `${pending.size} requests unanswered, the oldest ${oldest.route} for ${((performance.now() - oldest.at) / 1000).toFixed(1)} s`;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const benchStarted = performance.now();

/** A progress line on stderr, stamped with the seconds since the bench started. */
export const progress = (text: string) => console.error(`[${((performance.now() - benchStarted) / 1000).toFixed(1)} s] ${text}`);

/** The sum of `metric`'s samples whose labels include every one of `labels`. */
export function sumOf(text: string, metric: string, labels: readonly string[]): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Whether a started process is still running. */
export const isRunning = (started: ServeProcess) => started.child.exitCode === null && started.child.signalCode === null;

/** The resident set of a started process in bytes (`VmRSS`); NaN once it has exited (the last line then says `NaN`). */
export function rssOf(started: ServeProcess): number {
  if (!isRunning(started)) return Number.NaN;
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(started.child.pid)}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS in /proc/${String(started.child.pid)}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Stops the processes: SIGTERM (a graceful shutdown, bounded by `SDR_SHUTDOWN_DEADLINE_MS`), then
 * SIGKILL for any still running after `graceMs`.
 */
export async function stopAll(processes: readonly ServeProcess[], graceMs = 20_000): Promise<void> {
  const live = processes.filter(isRunning);
  if (live.length === 0) return;
  progress(`stopping ${live.length} processes (SIGTERM, SIGKILL after ${graceMs / 1000} s)`);
  for (const started of live) started.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(live.map((started) => started.exited)),
    new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  for (const started of live.filter(isRunning)) {
    progress(`${started.role} ${String(started.child.pid)} is still running: SIGKILL`);
    started.child.kill('SIGKILL');
    await started.exited;
  }
}
