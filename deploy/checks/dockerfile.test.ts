import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { dockerfileProblems } from './dockerfile-rules.js';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

describe('Dockerfile', () => {
  it('passes the dockerfile-utils linter without a diagnostic', () => {
    const diagnostics = validate(dockerfile).map(
      (diagnostic) =>
        `line ${diagnostic.range.start.line + 1}: ${typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value}`,
    );
    expect(diagnostics).toEqual([]);
  });

  it('keeps the image rules: pinned Node 20 base, non-root user, /healthz check, sdr entrypoint, production dependencies', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('reports each broken rule', () => {
    const broken = ['FROM node:latest', 'RUN npm install', 'HEALTHCHECK NONE', 'ENTRYPOINT ["node", "cli.js"]', 'USER root'].join('\n');
    expect(dockerfileProblems(broken)).toEqual([
      'the build is not multi-stage (one FROM)',
      'FROM node is not pinned by a version tag',
      'the final stage runs as root',
      'the final stage has no HEALTHCHECK on /healthz',
      'the entrypoint is ["node", "cli.js"], not ["sdr"]',
      'no pnpm install with --frozen-lockfile',
      'no pnpm deploy --prod: development dependencies would ship',
      'the server and the console it serves are not built',
    ]);
    expect(dockerfileProblems('FROM node:20 AS a\nFROM node:22.1.0-slim\nUSER node')).toEqual(
      expect.arrayContaining([
        'FROM node:20 is not an exact version tag (like 20.20.2-bookworm-slim)',
        'FROM node:22.1.0-slim is not the Node 20 LTS line',
      ]),
    );
  });

  it('finds a linter diagnostic in a malformed Dockerfile', () => {
    expect(validate('FROM node:20.20.2-bookworm-slim\nHEALTHCHECK --interval=abc CMD true\nEXPOSE port').length).toBeGreaterThan(0);
  });
});
