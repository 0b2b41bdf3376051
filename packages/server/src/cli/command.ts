/** A sub-command of the `sdr` command line. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads a file given on the command line (UTF-8). */
  readonly readFile: (path: string) => Promise<string>;
  /** The lines typed on standard input (interactive commands such as `sdr call`). */
  readonly readLines?: () => AsyncIterable<string>;
}

export interface CliCommand {
  /** Words that select it, e.g. `['simulate']` or `['billing', 'plan']`. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  /** Runs with the remaining arguments; resolves to the process exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes: 0 success, 1 failure while running, 2 bad usage or invalid input. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
