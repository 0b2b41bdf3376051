/**
 * Logger port: the subset of pino's API the core uses (`logger.info({ leadId }, 'message')`).
 * Pass a pino logger, or anything with these four methods. Personal data must be masked by the
 * caller before it reaches a log call (`maskPhone`, `redact`).
 */
export interface Logger {
  debug(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything: the default when none is given. */
export const noopLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
