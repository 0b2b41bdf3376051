import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as dclint from 'dclint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../../packages/server/src/runtime/config.js';
import { composeProblems, sdrServices, type ComposeFile } from './compose-rules.js';

const composePath = fileURLToPath(new URL('../compose.yaml', import.meta.url));
const compose = parse(readFileSync(composePath, 'utf8'), { merge: true }) as ComposeFile;
const envTemplate = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

// dclint's declaration files import their siblings without extensions, which NodeNext cannot
// resolve; the part used here is typed by hand.
interface Linter {
  lintFiles(paths: string[], recursive: boolean): { messages: { rule: string; message: string }[] }[];
}
const {
  DCLinter,
}: {
  DCLinter: new (config: { rules: Record<string, number>; quiet: boolean; debug: boolean; exclude: string[] }) => Linter;
} = dclint;

/** dclint with its default rules: the compose specification's schema first, then its best practices. */
function lint(paths: string[]) {
  const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
  return linter.lintFiles(paths, false).flatMap((result) => result.messages.map((message) => `${message.rule}: ${message.message}`));
}

describe('deploy/compose.yaml', () => {
  it('is valid against the compose specification and passes dclint', () => {
    expect(lint([composePath])).toEqual([]);
  });

  it('runs two api and two worker replicas of one image on healthy PostgreSQL and Redis, with volumes and limits', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it('health-checks the workers on their probe port, like the API on its port', () => {
    const worker = compose.services['worker']!;
    expect(worker.environment?.['SDR_WORKER_PORT']).toBe(9464);
    const unchecked: ComposeFile = {
      services: { ...compose.services, worker: { ...worker, healthcheck: { disable: true } } },
    };
    expect(composeProblems(unchecked)).toEqual(['worker: no health check on /healthz at SDR_WORKER_PORT 9464']);
    const wrongPort: ComposeFile = {
      services: { ...compose.services, worker: { ...worker, environment: { ...worker.environment, SDR_WORKER_PORT: 9100 } } },
    };
    expect(composeProblems(wrongPort)).toEqual(['worker: no health check on /healthz at SDR_WORKER_PORT 9100']);
  });

  it('sets only variables the server reads, and its .env template holds only those and the ones compose uses', () => {
    const known = new Set(configVariables);
    const services = sdrServices(compose);
    expect(services.map(([name]) => name)).toEqual(['api', 'worker']);
    for (const [name, service] of services) {
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !known.has(variable));
      expect(unknown, `${name} sets variables the server does not read`).toEqual([]);
      expect(service.env_file, `${name} reads deploy/.env`).toBe('.env');
    }
    const interpolated = new Set([...readFileSync(composePath, 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
    const templated = new Set([...envTemplate.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]!));
    expect([...interpolated].filter((variable) => !templated.has(variable))).toEqual([]);
    expect([...templated].filter((variable) => !interpolated.has(variable) && !known.has(variable))).toEqual([]);
    // What compose decides for the topology is not offered in the template, where it would be ignored.
    const decided = services.flatMap(([, service]) => Object.keys(service.environment ?? {}));
    expect(decided.filter((variable) => templated.has(variable))).toEqual([]);
  });

  it('reports a compose file that breaks the specification or the topology', () => {
    const broken: ComposeFile = {
      services: {
        api: { image: 'sdr/server:latest', depends_on: ['postgres'], deploy: { replicas: 1 } },
        postgres: { image: 'postgres:16.6' },
      },
    };
    expect(composeProblems(broken)).toEqual(
      expect.arrayContaining([
        'api: 1 replica(s), not 2',
        'api: PORT is not set',
        'api: depends on postgres without condition service_healthy',
        'api: no memory limit',
        'postgres: no health check',
        'postgres: no volume',
        'no redis service',
        'no worker service',
      ]),
    );
    const invalid = fileURLToPath(new URL('./__fixtures__/invalid-compose.yaml', import.meta.url));
    expect(lint([invalid])).toEqual([expect.stringMatching(/^invalid-schema: /)]);
  });
});
