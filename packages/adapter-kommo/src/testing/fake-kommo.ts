/**
 * `createFakeKommo`: a small, stateful, in-memory Kommo API v4 speaking HTTP through the Fetch API
 * (`handle(request) ⇒ response`). Mount it in msw (`http.all(`${baseUrl}/*`, ({ request }) =>
 * fake.handle(request))`) or behind `node:http` (`startFakeKommoServer`) for a bench. It checks the
 * bearer token (a long-lived one, or OAuth tokens it issued — refresh tokens rotate), answers with
 * Kommo's shapes and statuses (204 for an empty list, `validation-errors` on a 400, a 429 whose
 * body is not JSON when more than 7 requests arrive in a second, if asked to), logs every request
 * with its arrival time, and injects faults: a status for the next request of an operation, for
 * every request (an outage), a network failure, or a write carried out and then never answered.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@sdr/core';
import type { KommoCustomFieldValues } from '../kommo-api.js';
import {
  applyFieldValues,
  defaultFakeFields,
  defaultFakePipelines,
  phoneDigits,
  type FakeKommoContact,
  type FakeKommoField,
  type FakeKommoLead,
  type FakeKommoNote,
  type FakeKommoPipeline,
  type FakeKommoProblem,
} from './fake-kommo-board.js';

/** One request the fake received. */
export interface FakeKommoRequest {
  /** `leads.update`, `contacts.search`, `oauth.token`, … (the adapter's operation names). */
  readonly operation: string;
  readonly method: string;
  /** The path (`/api/v4/leads`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | null;
  readonly contentType: string | null;
  /** The JSON body (undefined when none). */
  readonly body: unknown;
  /** When it arrived (the fake's clock). */
  readonly at: Date;
}

/** A fault. */
export type FakeKommoFault =
  /** Answer this status, with a JSON body, a raw text body, or none. */
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly body?: unknown;
      readonly raw?: string;
      readonly headers?: Record<string, string>;
    }
  /** Fail the connection. */
  | { readonly kind: 'network' }
  /** Carry the write out, then never answer (until the client gives up). */
  | { readonly kind: 'accept_then_stall' };

export interface FakeKommoOptions {
  /** Default `http://acme.kommo.test`. */
  readonly baseUrl?: string;
  /** The long-lived token it accepts (default `fake-kommo-token`). */
  readonly token?: string;
  /** The account id (`GET /api/v4/account`, webhooks' `account[id]`; default 31337). */
  readonly accountId?: number;
  readonly clock?: Clock;
  /** Answer 429 (body not JSON) to a request that makes more than this many in one second (default: no limit). */
  readonly rateLimitPerSecond?: number;
}

/** The OAuth client the fake knows. */
export const fakeKommoOAuthClient = {
  clientId: 'fake-client',
  clientSecret: 'fake-client-secret',
  redirectUri: 'https://sdr.example.com/oauth/kommo',
};

export interface FakeKommo {
  readonly baseUrl: string;
  readonly token: string;
  readonly accountId: number;
  handle(request: Request): Promise<Response>;
  readonly fetch: typeof globalThis.fetch;
  readonly requests: readonly FakeKommoRequest[];
  readonly leads: ReadonlyMap<number, FakeKommoLead>;
  readonly contacts: ReadonlyMap<number, FakeKommoContact>;
  readonly notes: readonly FakeKommoNote[];
  readonly webhooks: readonly { readonly destination: string; readonly settings: readonly string[] }[];
  readonly pipelines: FakeKommoPipeline[];
  readonly fields: FakeKommoField[];
  /** Queues a fault for the next request of `operation`. */
  failNext(operation: string, fault: FakeKommoFault): void;
  /** Gives `fault` to every `every`-th request of `operation` from now on (the 10th, 20th, … for 10). */
  failEvery(operation: string, every: number, fault: FakeKommoFault): void;
  /** Answers every request with `fault` until called with `null`. */
  setOutage(fault: FakeKommoFault | null): void;
  /** Issues a refresh token the OAuth endpoint accepts (once: it rotates). */
  issueRefreshToken(): string;
  /** Issues an authorization code the OAuth endpoint accepts once (what Kommo's redirect carries). */
  issueAuthorizationCode(): string;
  /** Makes every OAuth access token issued so far invalid (a 401 follows). */
  revokeAccessTokens(): void;
  /** Adds a contact as a person would type it (any phone format). */
  addContact(input: { readonly name?: string; readonly phones: readonly string[] }): FakeKommoContact;
  /** Forgets every lead, contact, note, request and fault; the catalog returns to its default. */
  reset(): void;
}

interface Route {
  readonly operation: string;
  handle(input: { readonly query: URLSearchParams; readonly body: unknown }): Response | Promise<Response>;
}

export function createFakeKommo(options: FakeKommoOptions = {}): FakeKommo {
  const baseUrl = (options.baseUrl ?? 'http://acme.kommo.test').replace(/\/+$/, '');
  const token = options.token ?? 'fake-kommo-token';
  const accountId = options.accountId ?? 31337;
  const clock = options.clock ?? systemClock;
  const requests: FakeKommoRequest[] = [];
  const leads = new Map<number, FakeKommoLead>();
  const contacts = new Map<number, FakeKommoContact>();
  const notes: FakeKommoNote[] = [];
  const webhooks: { destination: string; settings: string[] }[] = [];
  const faults = new Map<string, FakeKommoFault[]>();
  const periodic = new Map<string, { readonly every: number; readonly fault: FakeKommoFault; seen: number }>();
  const refreshTokens = new Set<string>();
  const authorizationCodes = new Set<string>();
  const accessTokens = new Set<string>();
  let outage: FakeKommoFault | null = null;
  let nextId = 1_000_000;
  const state = { pipelines: defaultFakePipelines(), fields: defaultFakeFields() };

  const json = (status: number, body: unknown, contentType = 'application/hal+json') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType, 'x-request-id': randomUUID() } });
  const empty = () => new Response(null, { status: 204 });
  const problem = (status: number, title: string, extra: Record<string, unknown> = {}) =>
    json(status, { title, type: 'https://httpstatus.es/' + String(status), status, detail: title, ...extra }, 'application/problem+json');
  const invalid = (problems: readonly FakeKommoProblem[]) =>
    problem(400, 'Bad Request', {
      'validation-errors': [...new Set(problems.map((entry) => entry.request_id))].map((requestId) => ({
        request_id: requestId,
        errors: problems.filter((entry) => entry.request_id === requestId).map(({ code, path, detail }) => ({ code, path, detail })),
      })),
    });

  const statusExists = (pipelineId: number, statusId: number) =>
    state.pipelines.some((pipeline) => pipeline.id === pipelineId && pipeline.statuses.some((status) => status.id === statusId));
  const firstStatus = () => {
    const pipeline = state.pipelines[0];
    return { pipeline_id: pipeline?.id ?? 0, status_id: pipeline?.statuses[0]?.id ?? 0 };
  };
  const leadJson = (lead: FakeKommoLead, withContacts: boolean) => ({
    id: lead.id,
    name: lead.name,
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    updated_at: lead.updated_at,
    custom_fields_values: lead.custom_fields_values.length === 0 ? null : lead.custom_fields_values,
    _embedded: {
      tags: lead.tags.map((name, index) => ({ id: index + 1, name })),
      ...(withContacts ? { contacts: lead.contacts.map((id, index) => ({ id, is_main: index === 0 })) } : {}),
    },
  });
  const contactJson = (contact: FakeKommoContact, withLeads: boolean) => ({
    id: contact.id,
    name: contact.name,
    updated_at: contact.updated_at,
    custom_fields_values: contact.custom_fields_values,
    ...(withLeads
      ? { _embedded: { leads: [...leads.values()].filter((lead) => lead.contacts.includes(contact.id)).map((lead) => ({ id: lead.id })) } }
      : {}),
  });
  const now = () => Math.floor(clock.now().getTime() / 1000);
  const createContact = (input: { name?: unknown; custom_fields_values?: unknown }): FakeKommoContact => {
    const contact = {
      id: (nextId += 1),
      updated_at: now(),
      name: typeof input.name === 'string' ? input.name : '',
      custom_fields_values: Array.isArray(input.custom_fields_values) ? (input.custom_fields_values as KommoCustomFieldValues[]) : [],
    };
    contacts.set(contact.id, contact);
    return contact;
  };
  const tagsOf = (value: unknown): string[] =>
    Array.isArray(value) ? value.map((tag) => (tag as { name?: unknown }).name).filter((name) => typeof name === 'string') : [];
  const ids = (query: URLSearchParams, key: string) => query.getAll(key).map(Number);
  const page = <T>(items: readonly T[], query: URLSearchParams) => {
    const limit = Math.min(Number(query.get('limit') ?? 50), 250);
    const number = Number(query.get('page') ?? 1);
    return items.slice((number - 1) * limit, number * limit);
  };

  const routes: Record<string, Route> = {
    'POST /oauth2/access_token': {
      operation: 'oauth.token',
      handle: ({ body }) => {
        const grant = body as Record<string, unknown>;
        if (grant.client_id !== fakeKommoOAuthClient.clientId || grant.client_secret !== fakeKommoOAuthClient.clientSecret) {
          return problem(401, 'Client authentication failed');
        }
        const presented = typeof grant.refresh_token === 'string' ? grant.refresh_token : typeof grant.code === 'string' ? grant.code : '';
        const accepted =
          grant.grant_type === 'refresh_token'
            ? refreshTokens.delete(presented)
            : grant.grant_type === 'authorization_code' && authorizationCodes.delete(presented);
        if (!accepted) return problem(400, 'Refresh token has been revoked');
        const access = `access-${randomUUID()}`;
        accessTokens.add(access);
        const rotated = `refresh-${randomUUID()}`;
        refreshTokens.add(rotated);
        return json(200, { token_type: 'Bearer', expires_in: 86_400, access_token: access, refresh_token: rotated }, 'application/json');
      },
    },
    'GET /api/v4/account': { operation: 'health', handle: () => json(200, { id: accountId, name: 'Acme', subdomain: 'acme' }) },
    'GET /api/v4/leads/pipelines': {
      operation: 'pipelines.list',
      handle: () =>
        json(200, {
          _embedded: {
            pipelines: state.pipelines.map((pipeline) => ({
              id: pipeline.id,
              name: pipeline.name,
              _embedded: { statuses: pipeline.statuses.map((status) => ({ ...status, pipeline_id: pipeline.id })) },
            })),
          },
        }),
    },
    'GET /api/v4/leads/custom_fields': {
      operation: 'fields.list',
      handle: ({ query }) => {
        const items = page(state.fields, query);
        return items.length === 0 ? empty() : json(200, { _embedded: { custom_fields: items } });
      },
    },
    'GET /api/v4/leads': {
      operation: 'leads.get',
      handle: ({ query }) => {
        const wanted = ids(query, 'filter[id][]');
        const found = [...leads.values()].filter((lead) => wanted.length === 0 || wanted.includes(lead.id));
        const items = page(found, query);
        return items.length === 0
          ? empty()
          : json(200, { _embedded: { leads: items.map((lead) => leadJson(lead, query.get('with')?.includes('contacts') === true)) } });
      },
    },
    'PATCH /api/v4/leads': { operation: 'leads.update', handle: ({ body }) => patchLeads(body) },
    'POST /api/v4/leads/complex': { operation: 'leads.complex', handle: ({ body }) => complex(body) },
    'GET /api/v4/contacts': {
      operation: 'contacts.get',
      handle: ({ query }) => {
        const search = query.get('query')?.replace(/\D/g, '') ?? '';
        const wanted = ids(query, 'filter[id][]');
        const since = Number(query.get('filter[updated_at][from]') ?? 0);
        const found = [...contacts.values()].filter(
          (contact) =>
            (wanted.length === 0 || wanted.includes(contact.id)) &&
            contact.updated_at >= since &&
            (search === '' || phoneDigits(contact).some((digits) => digits.includes(search))),
        );
        if (query.get('order[updated_at]') === 'asc') found.sort((a, b) => a.updated_at - b.updated_at || a.id - b.id);
        const items = page(found, query);
        return items.length === 0
          ? empty()
          : json(200, {
              _embedded: { contacts: items.map((contact) => contactJson(contact, query.get('with')?.includes('leads') === true)) },
            });
      },
    },
    'POST /api/v4/contacts': {
      operation: 'contacts.create',
      handle: ({ body }) => {
        if (!Array.isArray(body)) return problem(400, 'Bad Request');
        const created = body.map((input) => createContact(input as Record<string, unknown>));
        return json(200, { _embedded: { contacts: created.map((contact) => ({ id: contact.id })) } });
      },
    },
    'PATCH /api/v4/contacts': {
      operation: 'contacts.update',
      handle: ({ body }) => {
        if (!Array.isArray(body)) return problem(400, 'Bad Request');
        const changes = body as { id: number; name?: string; custom_fields_values?: KommoCustomFieldValues[] }[];
        const missing = changes.flatMap((change, index) =>
          contacts.has(change.id) ? [] : [{ request_id: String(index), code: 'NotFound', path: 'id', detail: 'Element not found' }],
        );
        if (missing.length > 0) return invalid(missing);
        for (const change of changes) {
          const contact = contacts.get(change.id);
          if (contact === undefined) continue;
          contact.updated_at = now();
          if (change.name !== undefined) contact.name = change.name;
          for (const value of change.custom_fields_values ?? []) {
            contact.custom_fields_values = [
              ...contact.custom_fields_values.filter((field) => field.field_code !== value.field_code),
              value,
            ];
          }
        }
        return json(200, { _embedded: { contacts: changes.map((change) => ({ id: change.id })) } });
      },
    },
    'GET /api/v4/leads/notes': {
      operation: 'notes.list',
      handle: ({ query }) => {
        const entities = ids(query, 'filter[entity_id][]');
        const type = query.get('filter[note_type]');
        const found = notes.filter(
          (note) => (entities.length === 0 || entities.includes(note.entity_id)) && (type === null || note.note_type === type),
        );
        const items = page(found, query);
        return items.length === 0
          ? empty()
          : json(200, {
              _embedded: {
                notes: items.map((note) => ({
                  id: note.id,
                  entity_id: note.entity_id,
                  note_type: note.note_type,
                  params: { text: note.text },
                })),
              },
            });
      },
    },
    'POST /api/v4/leads/notes': { operation: 'notes.add', handle: ({ body }) => addNotes(body) },
    'POST /api/v4/webhooks': {
      operation: 'webhooks.add',
      handle: ({ body }) => {
        const input = body as { destination?: unknown; settings?: unknown };
        if (typeof input.destination !== 'string' || !Array.isArray(input.settings)) {
          return invalid([{ request_id: '0', code: 'FieldMissing', path: 'destination', detail: 'This field is missing.' }]);
        }
        const settings = input.settings.filter((setting) => typeof setting === 'string');
        webhooks.push({ destination: input.destination, settings });
        return json(200, { id: webhooks.length, destination: input.destination, settings });
      },
    },
  };

  function patchLeads(body: unknown): Response {
    if (!Array.isArray(body) || body.length > 250) return problem(400, 'Bad Request');
    const patches = body as Record<string, unknown>[];
    const problems: FakeKommoProblem[] = [];
    patches.forEach((patch, index) => {
      const lead = typeof patch.id === 'number' ? leads.get(patch.id) : undefined;
      if (lead === undefined) problems.push({ request_id: String(index), code: 'NotFound', path: 'id', detail: 'Element not found' });
      if (patch.status_id !== undefined) {
        const pipelineId = typeof patch.pipeline_id === 'number' ? patch.pipeline_id : (lead?.pipeline_id ?? 0);
        if (typeof patch.status_id !== 'number' || !statusExists(pipelineId, patch.status_id)) {
          problems.push({
            request_id: String(index),
            code: 'NotSupportedChoice',
            path: 'status_id',
            detail: 'The value you selected is not a valid choice.',
          });
        }
      }
    });
    if (problems.length > 0) return invalid(problems);
    for (const patch of patches) {
      const lead = leads.get(patch.id as number);
      if (lead === undefined) continue;
      if (typeof patch.name === 'string') lead.name = patch.name;
      if (typeof patch.status_id === 'number') lead.status_id = patch.status_id;
      if (typeof patch.pipeline_id === 'number') lead.pipeline_id = patch.pipeline_id;
      if (Array.isArray(patch.custom_fields_values)) {
        lead.custom_fields_values = applyFieldValues(
          lead.custom_fields_values,
          patch.custom_fields_values as KommoCustomFieldValues[],
          state.fields,
        );
      }
      const embedded = patch._embedded as { tags?: unknown } | undefined;
      if (embedded?.tags !== undefined) {
        lead.tags = tagsOf(embedded.tags);
        lead.tagReplacements += 1;
      }
      for (const tag of tagsOf(patch.tags_to_add)) if (!lead.tags.includes(tag)) lead.tags.push(tag);
      const removed = tagsOf(patch.tags_to_delete);
      lead.tags = lead.tags.filter((tag) => !removed.includes(tag));
      lead.updated_at = now();
    }
    return json(200, { _links: {}, _embedded: { leads: patches.map((patch) => ({ id: patch.id, updated_at: now() })) } });
  }

  function complex(body: unknown): Response {
    if (!Array.isArray(body)) return problem(400, 'Bad Request');
    if (body.length > 50) {
      return invalid([{ request_id: '0', code: 'TooManyEntities', path: '', detail: 'Maximum 50 leads per request' }]);
    }
    const inputs = body as Record<string, unknown>[];
    const problems: FakeKommoProblem[] = [];
    inputs.forEach((input, index) => {
      if (input.status_id !== undefined && !statusExists(Number(input.pipeline_id), Number(input.status_id))) {
        problems.push({
          request_id: String(index),
          code: 'NotSupportedChoice',
          path: 'status_id',
          detail: 'The value you selected is not a valid choice.',
        });
      }
    });
    if (problems.length > 0) return invalid(problems);
    const answer = inputs.map((input, index) => {
      const embedded = (input._embedded ?? {}) as { tags?: unknown; contacts?: unknown[] };
      const contactInput = (embedded.contacts?.[0] ?? undefined) as Record<string, unknown> | undefined;
      const contact =
        contactInput === undefined
          ? undefined
          : typeof contactInput.id === 'number' && contacts.has(contactInput.id)
            ? contacts.get(contactInput.id)
            : createContact(contactInput);
      const start = firstStatus();
      const lead: FakeKommoLead = {
        id: (nextId += 1),
        name: typeof input.name === 'string' ? input.name : '',
        status_id: typeof input.status_id === 'number' ? input.status_id : start.status_id,
        pipeline_id: typeof input.pipeline_id === 'number' ? input.pipeline_id : start.pipeline_id,
        custom_fields_values: applyFieldValues([], (input.custom_fields_values ?? []) as KommoCustomFieldValues[], state.fields),
        tags: tagsOf(embedded.tags),
        contacts: contact === undefined ? [] : [contact.id],
        updated_at: now(),
        tagReplacements: 0,
      };
      leads.set(lead.id, lead);
      return { id: lead.id, contact_id: contact?.id ?? null, company_id: null, request_id: [String(index)], merged: false };
    });
    return json(200, answer);
  }

  function addNotes(body: unknown): Response {
    if (!Array.isArray(body)) return problem(400, 'Bad Request');
    const inputs = body as { entity_id?: unknown; note_type?: unknown; params?: { text?: unknown }; request_id?: unknown }[];
    const problems = inputs.flatMap((input, index) =>
      typeof input.entity_id === 'number' && leads.has(input.entity_id)
        ? []
        : [{ request_id: String(index), code: 'NotFound', path: 'entity_id', detail: 'Entity not found' }],
    );
    if (problems.length > 0) return invalid(problems);
    const created = inputs.map((input) => {
      const note = {
        id: (nextId += 1),
        entity_id: input.entity_id as number,
        note_type: typeof input.note_type === 'string' ? input.note_type : 'common',
        text: typeof input.params?.text === 'string' ? input.params.text : '',
      };
      notes.push(note);
      return { id: note.id, entity_id: note.entity_id, request_id: typeof input.request_id === 'string' ? input.request_id : undefined };
    });
    return json(200, { _embedded: { notes: created } });
  }

  const fromFault = (fault: FakeKommoFault): Response =>
    fault.kind === 'network'
      ? Response.error()
      : fault.kind === 'respond'
        ? new Response(fault.raw ?? (fault.body === undefined ? null : JSON.stringify(fault.body)), {
            status: fault.status,
            headers: {
              ...(fault.body === undefined ? { 'content-type': 'text/html' } : { 'content-type': 'application/problem+json' }),
              ...fault.headers,
            },
          })
        : Response.error();

  const stall = (signal: AbortSignal) =>
    new Promise<Response>((resolve) => {
      if (signal.aborted) resolve(Response.error());
      signal.addEventListener('abort', () => resolve(Response.error()), { once: true });
    });

  const authorized = (header: string | null) => {
    const bearer = header?.startsWith('Bearer ') === true ? header.slice(7) : null;
    return bearer !== null && (bearer === token || accessTokens.has(bearer));
  };

  const overLimit = (at: Date): boolean => {
    if (options.rateLimitPerSecond === undefined) return false;
    const from = at.getTime() - 1000;
    return requests.filter((request) => request.at.getTime() > from).length > options.rateLimitPerSecond;
  };

  /** The contacts list serves three operations: a search, the index's listing, a read by id. */
  function operationOf(operation: string, query: URLSearchParams): string {
    if (operation !== 'contacts.get') return operation;
    if (query.has('query')) return 'contacts.search';
    return query.has('order[updated_at]') ? 'contacts.index' : 'contacts.get';
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const key = `${request.method} ${path}`;
    const route = routes[key];
    const text = request.method === 'GET' ? '' : await request.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = text;
    }
    const operation = route === undefined ? key : operationOf(route.operation, url.searchParams);
    const at = clock.now();
    requests.push({
      operation,
      method: request.method,
      path,
      query: url.searchParams,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body,
      at,
    });
    if (outage !== null) return fromFault(outage);
    if (overLimit(at))
      return new Response('<html><body>Too Many Requests</body></html>', { status: 429, headers: { 'content-type': 'text/html' } });
    const rule = periodic.get(operation);
    if (rule !== undefined) rule.seen += 1;
    const fault = faults.get(operation)?.shift() ?? (rule !== undefined && rule.seen % rule.every === 0 ? rule.fault : undefined);
    if (fault !== undefined && fault.kind !== 'accept_then_stall') return fromFault(fault);
    if (route === undefined) return problem(404, 'Not Found');
    if (route.operation !== 'oauth.token' && !authorized(request.headers.get('authorization'))) return problem(401, 'Unauthorized');
    const response = await route.handle({ query: url.searchParams, body });
    if (fault?.kind === 'accept_then_stall') return stall(request.signal);
    return response;
  }

  return {
    baseUrl,
    token,
    accountId,
    handle,
    fetch: (input, init) => handle(new Request(input, init)),
    requests,
    leads,
    contacts,
    notes,
    webhooks,
    get pipelines() {
      return state.pipelines;
    },
    get fields() {
      return state.fields;
    },
    failNext(operation, fault) {
      faults.set(operation, [...(faults.get(operation) ?? []), fault]);
    },
    failEvery(operation, every, fault) {
      periodic.set(operation, { every, fault, seen: 0 });
    },
    setOutage(fault) {
      outage = fault;
    },
    issueAuthorizationCode() {
      const issued = `code-${randomUUID()}`;
      authorizationCodes.add(issued);
      return issued;
    },
    issueRefreshToken() {
      const issued = `refresh-${randomUUID()}`;
      refreshTokens.add(issued);
      return issued;
    },
    revokeAccessTokens() {
      accessTokens.clear();
    },
    addContact(input) {
      return createContact({
        name: input.name ?? '',
        custom_fields_values: [{ field_code: 'PHONE', values: input.phones.map((value) => ({ value, enum_code: 'WORK' })) }],
      });
    },
    reset() {
      requests.length = 0;
      leads.clear();
      contacts.clear();
      notes.length = 0;
      webhooks.length = 0;
      faults.clear();
      periodic.clear();
      outage = null;
      state.pipelines = defaultFakePipelines();
      state.fields = defaultFakeFields();
    },
  };
}
