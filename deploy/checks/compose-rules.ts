/**
 * The topology `deploy/compose.yaml` promises, checked on the parsed file: PostgreSQL and Redis
 * with health checks and volumes, `api` and `worker` as two replicas each of one image that wait
 * for both to be healthy and are health-checked on `/healthz` at the port they serve (`PORT` for
 * the API, `SDR_WORKER_PORT` for a worker's probes), and resource limits on every service.
 */

/** The parts of a compose file these checks read. */
export interface ComposeService {
  readonly image?: string;
  readonly environment?: Readonly<Record<string, string | number | boolean | null>>;
  readonly env_file?: string;
  readonly depends_on?: readonly string[] | Readonly<Record<string, { readonly condition?: string }>>;
  readonly volumes?: readonly unknown[];
  readonly healthcheck?: { readonly test?: unknown; readonly disable?: boolean };
  readonly deploy?: {
    readonly replicas?: number;
    readonly resources?: { readonly limits?: { readonly cpus?: string; readonly memory?: string } };
  };
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** The services that run the server's image: those that set SDR_ROLE. */
export function sdrServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, service]) => service.environment?.SDR_ROLE !== undefined);
}

/** The ways `compose` departs from the topology; empty when it keeps it. */
export function composeProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const { services } = compose;
  for (const name of ['postgres', 'redis']) {
    const service = services[name];
    if (service === undefined) {
      problems.push(`no ${name} service`);
      continue;
    }
    if (service.healthcheck?.test === undefined || service.healthcheck.disable === true) problems.push(`${name}: no health check`);
    if ((service.volumes ?? []).length === 0) problems.push(`${name}: no volume`);
  }
  const images = new Set<string>();
  for (const role of ['api', 'worker']) {
    const service = services[role];
    if (service === undefined) {
      problems.push(`no ${role} service`);
      continue;
    }
    if (service.environment?.SDR_ROLE !== role) problems.push(`${role}: SDR_ROLE is not ${role}`);
    const portVariable = role === 'api' ? 'PORT' : 'SDR_WORKER_PORT';
    const port = service.environment?.[portVariable];
    const check = service.healthcheck?.disable === true ? '' : JSON.stringify(service.healthcheck?.test ?? '');
    if (port === undefined || port === null) problems.push(`${role}: ${portVariable} is not set`);
    else if (!check.includes(`:${String(port)}/healthz`))
      problems.push(`${role}: no health check on /healthz at ${portVariable} ${String(port)}`);
    images.add(service.image ?? '');
    const replicas = service.deploy?.replicas ?? 1;
    if (replicas !== 2) problems.push(`${role}: ${replicas} replica(s), not 2`);
    const dependsOn = service.depends_on ?? {};
    for (const dependency of ['postgres', 'redis']) {
      const condition = Array.isArray(dependsOn) ? undefined : (dependsOn as Record<string, { condition?: string }>)[dependency]?.condition;
      if (condition !== 'service_healthy') problems.push(`${role}: depends on ${dependency} without condition service_healthy`);
    }
  }
  if (images.size > 1) problems.push(`api and worker run different images: ${[...images].join(', ')}`);
  for (const [name, service] of Object.entries(services)) {
    const limits = service.deploy?.resources?.limits;
    if (limits?.memory === undefined) problems.push(`${name}: no memory limit`);
    if (limits?.cpus === undefined) problems.push(`${name}: no CPU limit`);
  }
  return problems;
}
