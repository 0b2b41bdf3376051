/**
 * `sdr serve`: runs the server (API, workers or both, by `SDR_ROLE`) until SIGTERM or SIGINT,
 * then shuts down gracefully. Configuration comes from the environment only (see
 * `.env.example`); a wrong value is reported with the variable's name, exit code 2.
 */
import process from 'node:process';
import pino from 'pino';
import { httpLogRedactPaths } from '../../http/index.js';
import { bannerOf } from '../../runtime/banner.js';
import { configVariables, loadConfig } from '../../runtime/config.js';
import { startServer } from '../../runtime/start-server.js';
import { exitCodes, type CliCommand } from '../command.js';

export const serveCommand: CliCommand = {
  path: ['serve'],
  summary: 'run the server: the REST API and the workers (embedded default without any environment)',
  usage: [
    'usage: sdr serve',
    '',
    'Runs the @sdr server until SIGTERM or SIGINT. With no environment it starts on the embedded',
    'default: PGlite in ./.sdr-data, sandbox adapters, a demo tenant whose API key is printed once.',
    '',
    `Environment (see .env.example): ${configVariables.join(', ')}`,
  ].join('\n'),
  async run(args, io) {
    if (args.length > 0) {
      io.stderr(`error: sdr serve takes no arguments (got ${args.join(' ')}); it is configured by the environment\n`);
      return exitCodes.usage;
    }
    const config = loadConfig(process.env);
    const logger = pino({
      level: config.logLevel,
      redact: { paths: [...httpLogRedactPaths], censor: '[redacted]' },
      base: { role: config.role },
    });
    const server = await startServer({ config, logger, httpLogger: logger });
    io.stdout(`${bannerOf(server)}\n`);
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting without waiting');
          process.exit(exitCodes.failure);
        }
        logger.info({ signal }, 'signal received');
        resolve();
      };
      process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
    });
    await server.stop();
    return exitCodes.ok;
  },
};
