/**
 * The typed API client: openapi-fetch over the types generated from the server's own OpenAPI
 * document (`api-types.ts`), with the session's key sent as a bearer on every request. Failures
 * become `ApiProblem`s carrying the RFC 9457 problem the server answered.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types.js';

/** The JSON body of an operation's first 2xx response. */
export type ResponseOf<Path extends keyof paths, Method extends 'get' | 'post'> = paths[Path][Method] extends {
  readonly responses: infer Responses;
}
  ? Responses extends { readonly 200: { readonly content: { readonly 'application/json': infer Body } } }
    ? Body
    : Responses extends { readonly 201: { readonly content: { readonly 'application/json': infer Body } } }
      ? Body
      : never
  : never;

/** The JSON body an operation takes. */
export type BodyOf<Path extends keyof paths, Method extends 'post' | 'put' | 'patch'> = paths[Path][Method] extends {
  readonly requestBody?: { readonly content: { readonly 'application/json': infer Body } };
}
  ? Body
  : never;

export type Lead = ResponseOf<'/v1/leads/{id}', 'get'>;
export type Message = ResponseOf<'/v1/leads/{id}/messages', 'get'>['items'][number];
export type ScheduledMessage = ResponseOf<'/v1/leads/{id}/scheduled-messages', 'get'>['items'][number];
export type BillingImportResult = ResponseOf<'/v1/billing/imports', 'post'>;
/** The items of a billing batch, as the import takes them (the server checks each one). */
export type BillingItems = BodyOf<'/v1/billing/imports', 'post'>['items'];
export type Stage = Lead['stage'];
export type AutomationState = Lead['automation'];
export type Channel = Message['channel'];

/** The typed client of one key. */
export type ApiClient = Client<paths>;

/** A problem document as the server sends it. */
export interface ProblemBody {
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
}

/** A request the server refused or failed: its status and problem document. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: readonly { readonly field: string; readonly message: string }[];

  constructor(status: number, body: ProblemBody | undefined) {
    super(body?.detail ?? `the server answered ${status}`);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = body?.code ?? 'unknown';
    this.errors = body?.errors ?? [];
  }
}

/** A client that sends `key` as `Authorization: Bearer`. */
export function createApiClient(key: string, baseUrl = ''): ApiClient {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${key}`);
      return request;
    },
  });
  return client;
}

/** The result of an openapi-fetch call: its data, or an `ApiProblem`. */
export async function unwrap<Data>(
  call: Promise<{ readonly data?: Data; readonly error?: unknown; readonly response: Response }>,
): Promise<Data> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    if (response.ok && response.status === 204) return undefined as Data;
    throw new ApiProblem(response.status, error as ProblemBody | undefined);
  }
  return data;
}

/** The tenant of the client's key. */
export function getTenant(api: ApiClient) {
  return unwrap(api.GET('/v1/tenant'));
}

/** A tenant, as the client reads it. */
export type Tenant = Awaited<ReturnType<typeof getTenant>>;
