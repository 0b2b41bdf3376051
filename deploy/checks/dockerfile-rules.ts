/**
 * The rules the image recipe keeps, checked on the parsed Dockerfile (dockerfile-ast): every base
 * image pinned by an exact version tag (never `latest`), Node 20 LTS, more than one stage, an
 * unprivileged user at the end, a HEALTHCHECK on `/healthz`, `sdr` as the entrypoint, the locked
 * install and production dependencies only. Each broken rule is one message.
 */
import { DockerfileParser } from 'dockerfile-ast';

const exactNodeTag = /^(\d+)\.\d+\.\d+(-[a-z0-9]+)*$/;

/** The problems of a Dockerfile's text; empty when it keeps every rule. */
export function dockerfileProblems(text: string): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  const stageNames = new Set(froms.flatMap((from) => from.getBuildStage() ?? []));
  const bases = froms.filter((from) => !stageNames.has(from.getImageName() ?? ''));
  if (froms.length < 2) problems.push('the build is not multi-stage (one FROM)');
  for (const from of bases) {
    const name = from.getImageName() ?? '';
    const tag = from.getImageTag();
    if (tag === null || tag === 'latest') problems.push(`FROM ${name} is not pinned by a version tag`);
    else if (name === 'node') {
      const major = exactNodeTag.exec(tag)?.[1];
      if (major === undefined) problems.push(`FROM node:${tag} is not an exact version tag (like 20.20.2-bookworm-slim)`);
      else if (major !== '20') problems.push(`FROM node:${tag} is not the Node 20 LTS line`);
    }
  }
  const instructions = dockerfile.getInstructions();
  const lastStageStart = froms.at(-1)?.getRange().start.line ?? 0;
  const finalStage = instructions.filter((instruction) => instruction.getRange().start.line >= lastStageStart);
  const argumentsOf = (keyword: string) =>
    finalStage.filter((instruction) => instruction.getKeyword() === keyword).map((instruction) => instruction.getArgumentsContent() ?? '');
  const user = argumentsOf('USER').at(-1);
  if (user === undefined) problems.push('the final stage sets no USER: the server would run as root');
  else if (/^(root|0)(:|$)/.test(user.trim())) problems.push(`the final stage runs as ${user}`);
  const healthcheck = argumentsOf('HEALTHCHECK').at(-1);
  if (healthcheck === undefined || !healthcheck.includes('/healthz')) problems.push('the final stage has no HEALTHCHECK on /healthz');
  const entrypoint = argumentsOf('ENTRYPOINT').at(-1);
  if (entrypoint?.trim() !== '["sdr"]') problems.push(`the entrypoint is ${entrypoint ?? 'unset'}, not ["sdr"]`);
  const runs = instructions
    .filter((instruction) => instruction.getKeyword() === 'RUN')
    .map((instruction) => instruction.getArgumentsContent() ?? '');
  if (!runs.some((run) => /pnpm (install|fetch)[^\n]*--frozen-lockfile/.test(run))) problems.push('no pnpm install with --frozen-lockfile');
  if (!runs.some((run) => /pnpm [^\n]*deploy[^\n]*--prod/.test(run)))
    problems.push('no pnpm deploy --prod: development dependencies would ship');
  if (!runs.some((run) => run.includes('@sdr/server...') && run.includes('build')))
    problems.push('the server and the console it serves are not built');
  return problems;
}
