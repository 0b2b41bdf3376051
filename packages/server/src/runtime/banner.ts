/**
 * The text `sdr serve` prints once it is up: where it listens, what it runs on, the demo
 * tenant's key (at the first start only), and the four requests that show a follow-up going out
 * on the sandbox channel within a minute.
 */
import type { RunningServer } from './start-server.js';

/** The banner of a started server. */
export function bannerOf(server: RunningServer): string {
  const { config, url, database, demo } = server;
  const lines = [
    '',
    `@sdr server — role ${config.role}${url === null ? '' : `, listening on ${url}`}`,
    `  database: ${database.kind === 'pglite' ? `embedded PGlite in ${database.location}` : `PostgreSQL at ${database.location}`}`,
    `  lock: ${config.redisUrl === null ? 'database lease rows' : 'Redis'} · adapters: sandbox (WhatsApp channel, CRM board, calendar, clock — kept in the database)`,
  ];
  if (url === null) {
    const probes = server.probesUrl === null ? [] : [`  health: ${server.probesUrl}/readyz · metrics: ${server.probesUrl}/metrics`];
    return [...lines, '  workers: dispatcher, CRM sync, calendar outbox, reconciliation, alerts', ...probes, ''].join('\n');
  }
  lines.push(
    server.consoleAssets === null
      ? '  console: not built — run `pnpm build` (or start with `pnpm start`, which builds it)'
      : `  console: ${url}/console/ — open it and sign in with the API key below`,
  );
  lines.push(`  API: ${url}/v1 · document: ${url}/openapi.json · health: ${url}/readyz · metrics: ${url}/metrics`);
  if (demo === null) return [...lines, ''].join('\n');
  const key = demo.apiKey ?? '<the demo key printed at the first start>';
  lines.push(
    `  demo tenant: ${demo.tenant.name} (${demo.tenant.id})`,
    demo.apiKey === null
      ? `  its API key was printed at the first start only${database.kind === 'pglite' ? ` — lost it? stop the server and delete ${database.location} to start over` : ''}.`
      : `  API key (shown once, only its hash is stored — keep it): ${demo.apiKey}`,
    '',
    'Watch a follow-up go out (the sandbox clock lets you skip the 30 minutes of silence):',
    `  export SDR_KEY=${key}`,
    '  # 1. a lead writes to you on WhatsApp — note the leadId in the answer',
    `  curl -s -X POST ${url}/v1/sandbox/inbound -H "authorization: Bearer $SDR_KEY" -H 'content-type: application/json' -d '{"from":"+55 11 98765-4321","text":"Oi! Quero saber mais","name":"Ana"}'`,
    '  # 2. you answer, and the lead goes silent',
    `  curl -s -X POST ${url}/v1/leads/<leadId>/messages -H "authorization: Bearer $SDR_KEY" -H 'content-type: application/json' -d '{"direction":"outbound","body":"Olá Ana! Posso te mostrar como funciona?"}'`,
    '  # 3. 31 minutes pass',
    `  curl -s -X POST ${url}/v1/sandbox/clock/advance -H "authorization: Bearer $SDR_KEY" -H 'content-type: application/json' -d '{"minutes":31}'`,
    '  # 4. a few seconds later, re-engagement #1 is on the sandbox channel — if the sandbox clock is inside the',
    "  #    demo tenant's hours (Mon–Fri 09:00–18:00 São Paulo); outside them it waits for the opening, and",
    '  #    /v1/leads/<leadId>/scheduled-messages says so (move the clock on, or start with SDR_DEMO_ALWAYS_OPEN=true)',
    `  curl -s ${url}/v1/sandbox/messages -H "authorization: Bearer $SDR_KEY"`,
    `  (then: ${url}/v1/sandbox/crm for the CRM board, ${url}/v1/leads/<leadId>/scheduled-messages for what comes next)`,
    '',
  );
  return lines.join('\n');
}
