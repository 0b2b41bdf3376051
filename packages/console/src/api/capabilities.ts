/**
 * What this server offers, read at run time from its own OpenAPI document: the console shows an
 * honest "not available on this server" for a view whose endpoint is missing (the sandbox on a
 * server with real adapters; integrations, the agent and outgoing webhooks before the server has
 * them), and lights the view up as soon as the document lists the endpoint.
 */

/** An operation, as `METHOD /path/{param}`. */
export type Operation = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

/**
 * Endpoints some views depend on. The planned ones are named as the issues that add them name
 * them; when they land, regenerating the API types is all the console needs to type them.
 */
export const endpoints = {
  sandbox: 'POST /v1/sandbox/inbound',
  sandboxCrm: 'GET /v1/sandbox/crm',
  integrations: 'GET /v1/integrations',
  agent: 'GET /v1/leads/{id}/agent',
  webhookEndpoints: 'GET /v1/webhook-endpoints',
} as const satisfies Record<string, Operation>;

/** The operations a server's document lists. */
export interface Capabilities {
  readonly has: (operation: Operation) => boolean;
}

interface OpenApiDocument {
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];

/** The capabilities a document lists. */
export function capabilitiesOf(document: OpenApiDocument): Capabilities {
  const operations = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of Object.keys(item)) if (methods.includes(method)) operations.add(`${method.toUpperCase()} ${path}`);
  }
  return { has: (operation) => operations.has(operation) };
}

/** Reads the server's document (it needs no key). */
export async function loadCapabilities(baseUrl = ''): Promise<Capabilities> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return capabilitiesOf((await response.json()) as OpenApiDocument);
}
