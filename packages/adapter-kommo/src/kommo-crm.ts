/**
 * `createKommoCrm`: the `CrmPort` over Kommo API v4 (see `crm-port.ts` for the contract). Every
 * request — searches, catalog reads, token refreshes — first takes a token of the account's bucket
 * (`crm:kommo:<subdomain>`) in the shared rate limiter, at 7 per second or lower.
 */
import {
  AbortedError,
  ValidationError,
  abortedError,
  createRequestPacer,
  systemClock,
  throwIfAborted,
  type CallOptions,
  type Clock,
  type CredentialStore,
  type CrmCapabilities,
  type CrmLead,
  type CrmLeadSnapshot,
  type CrmPipeline,
  type CrmPort,
  type CrmUpsertedContact,
  type LockPort,
  type PhoneNumber,
  type PortHealth,
  type RateLimiter,
} from '@sdr/core';
import { kommoAccountSchema } from './kommo-api.js';
import { authSecrets, longLivedTokenSource, oauthTokenSource, type KommoAuth } from './kommo-auth.js';
import { createKommoCatalog } from './kommo-catalog.js';
import { createKommoContactIndex } from './kommo-contact-index.js';
import { createKommoClient, type KommoClient } from './kommo-client.js';
import { checkBatchSize, createKommoContext, kommoId, signalOf, type KommoContext } from './kommo-context.js';
import { kommoProvider } from './kommo-errors.js';
import { upsertKommoContacts, upsertKommoLeads } from './kommo-upserts.js';
import { createKommoNotes } from './kommo-notes.js';
import { fetchContacts, fetchLeads, fetchNotes, searchContacts } from './kommo-reads.js';
import type { KommoStageNames } from './kommo-stages.js';
import { createKommoUpdates } from './kommo-updates.js';
import { mainContactId, noteKeyOf, toCrmContact, toCrmLead, type CountryCode } from './map-kommo-lead.js';

/** Kommo's limit: 7 requests per second per account. */
export const kommoMaxRequestsPerSecond = 7;
/**
 * The pace by default: 6 a second, one under Kommo's limit, so that requests bunched up on the way
 * (a slow one followed by a fast one) still arrive at most 7 in any second Kommo counts.
 */
export const kommoDefaultRequestsPerSecond = 6;
/** Default (and documented safe) batch size of Kommo's batch endpoints. */
export const kommoDefaultBatchSize = 50;

/** Options of `createKommoCrm`. */
export interface KommoCrmOptions {
  /** The account's subdomain (`acme` of acme.kommo.com). */
  readonly subdomain: string;
  /** Default `https://{subdomain}.kommo.com`. */
  readonly baseUrl?: string | undefined;
  readonly auth: KommoAuth;
  /** Shared by every process talking to this account: each request takes one token. */
  readonly rateLimiter: RateLimiter;
  /** Requests per second to pace at (default 6; at most Kommo's 7). */
  readonly requestsPerSecond?: number | undefined;
  /** Items per batch request (default 50; Kommo documents no larger size for its batch writes). */
  readonly maxBatchSize?: number | undefined;
  /** Where OAuth tokens are kept (required for `auth.type: 'oauth'`). */
  readonly credentials?: CredentialStore | undefined;
  /** The lock of token refreshes (required for `auth.type: 'oauth'`). */
  readonly lock?: LockPort | undefined;
  /** The tenant's stage names, resolved again when Kommo rejects a status id. */
  readonly stageNames?: KommoStageNames | undefined;
  /**
   * Find new phones without a search each (`kommo-contact-index.ts`): the account's contacts are
   * listed once and then only those changed, at most every `maxAgeMs` (default on, 10 s).
   */
  readonly contactIndex?: false | { readonly maxAgeMs: number } | undefined;
  /** Country of phones a person typed without a country code (default BR). */
  readonly defaultCountry?: CountryCode | undefined;
  readonly clock?: Clock | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Client timeout of one request (default 15 s). */
  readonly requestTimeoutMs?: number | undefined;
}

/** The Kommo CRM: a `CrmPort` plus the key of the bucket it paces with. */
export interface KommoCrm extends CrmPort {
  readonly provider: 'kommo';
  /** The rate limiter key of the account (`crm:kommo:<subdomain>`). */
  readonly rateLimitKey: string;
  /** The account's paced, authenticated client (for the package's other calls, such as webhook registration). */
  readonly client: KommoClient;
}

/** The bucket of an account in the shared rate limiter. */
export function kommoRateLimitKey(subdomain: string): string {
  return `crm:kommo:${subdomain}`;
}

/** Checks a subdomain: lowercase letters, digits and dashes. */
export function checkSubdomain(subdomain: string, field = 'subdomain'): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) {
    throw ValidationError.forField(
      field,
      'must be the account subdomain (lowercase letters, digits and dashes, as in acme of acme.kommo.com)',
    );
  }
  return subdomain;
}

/** Creates the Kommo CRM port. No I/O until a method is called. */
export function createKommoCrm(options: KommoCrmOptions): KommoCrm {
  const subdomain = checkSubdomain(options.subdomain);
  const clock = options.clock ?? systemClock;
  const maxBatchSize = options.maxBatchSize ?? kommoDefaultBatchSize;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > 250) {
    throw ValidationError.forField('maxBatchSize', 'must be a whole number from 1 to 250');
  }
  const pacer = createRequestPacer({
    rateLimiter: options.rateLimiter,
    clock,
    key: kommoRateLimitKey(subdomain),
    maxRequestsPerSecond: kommoMaxRequestsPerSecond,
    requestsPerSecond: options.requestsPerSecond ?? kommoDefaultRequestsPerSecond,
    provider: kommoProvider,
  });
  const { auth } = options;
  const tokens = (() => {
    if (auth.type === 'long_lived') {
      if (auth.token.trim() === '') throw ValidationError.forField('auth.token', 'must not be empty');
      return longLivedTokenSource(auth.token);
    }
    if (options.credentials === undefined || options.lock === undefined) {
      throw ValidationError.forField('auth', 'OAuth needs a credential store and a lock (to keep the rotated refresh token)');
    }
    return oauthTokenSource(auth, () => client, {
      credentials: options.credentials,
      lock: options.lock,
      clock,
      lockKey: `credentials:kommo:${subdomain}`,
    });
  })();
  const client: KommoClient = createKommoClient({
    baseUrl: options.baseUrl ?? `https://${subdomain}.kommo.com`,
    account: subdomain,
    pacer,
    tokens,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  const context = createKommoContext({
    client,
    clock,
    secrets: authSecrets(auth),
    defaultCountry: options.defaultCountry ?? 'BR',
    maxBatchSize,
  });
  const catalog = createKommoCatalog(context);
  const notes = createKommoNotes(context);
  const index = options.contactIndex === false ? undefined : createKommoContactIndex(context, options.contactIndex?.maxAgeMs ?? 10_000);
  const updates = createKommoUpdates({ context, catalog, stageNames: options.stageNames });
  const capabilities: CrmCapabilities = Object.freeze({
    batchUpdate: true,
    batchNotes: true,
    maxBatchSize,
    requestsPerSecond: pacer.rule.ratePerSecond,
  });

  return {
    contractVersion: 'v1',
    provider: kommoProvider,
    capabilities,
    rateLimitKey: pacer.key,
    client,
    findLeadByPhone: (phone, callOptions) => findLeadByPhone(context, phone, callOptions),
    findContactByPhone: async (phone, callOptions) => {
      const [contact] = await searchContacts(context, phone, callOptions);
      return contact === undefined ? null : toCrmContact(contact, phone, context.defaultCountry);
    },
    upsertLeads: (inputs, callOptions) => upsertKommoLeads({ context, catalog, index }, inputs, callOptions),
    upsertContacts: (inputs, callOptions): Promise<CrmUpsertedContact[]> => upsertKommoContacts(context, index, inputs, callOptions),
    getLeads: (leadIds, callOptions) => getLeads(context, leadIds, callOptions),
    updateLeads: (patches, callOptions) => updates.updateLeads(patches, callOptions),
    addNotes: (list, callOptions) => notes.addNotes(list, callOptions),
    listPipelines: (callOptions): Promise<CrmPipeline[]> => catalog.loadPipelines(callOptions),
    health: (callOptions) => health(context, callOptions),
  };
}

async function findLeadByPhone(context: KommoContext, phone: PhoneNumber, options?: CallOptions): Promise<CrmLead | null> {
  const contacts = await searchContacts(context, phone, options);
  const candidates = contacts.flatMap((contact) => (contact._embedded?.leads ?? []).map((lead) => ({ lead: lead.id, contact })));
  if (candidates.length === 0) return null;
  const leads = await fetchLeads(
    context,
    candidates.map((candidate) => candidate.lead),
    options,
  );
  const newest = [...leads].sort((a, b) => b.id - a.id)[0];
  if (newest === undefined) return null;
  const contact = candidates.find((candidate) => candidate.lead === newest.id)?.contact;
  return toCrmLead(newest, contact, context.defaultCountry);
}

/** Leads with their main contact's phone and their notes' keys: three paged reads. */
export async function getLeads(context: KommoContext, leadIds: readonly string[], options?: CallOptions): Promise<CrmLeadSnapshot[]> {
  checkBatchSize(context, 'leadIds', leadIds.length);
  throwIfAborted(options, { provider: kommoProvider, operation: 'leads.get' });
  const ids = [...new Set(leadIds.map(kommoId).filter((id) => id !== undefined))];
  if (ids.length === 0) return [];
  const leads = await fetchLeads(context, ids, options);
  if (leads.length === 0) return [];
  const contactIds = leads.map(mainContactId).filter((id) => id !== null);
  const contacts = contactIds.length === 0 ? [] : await fetchContacts(context, contactIds, options);
  const notes = await fetchNotes(
    context,
    leads.map((lead) => lead.id),
    options,
  );
  return leads.map((lead) => {
    const contactId = mainContactId(lead);
    const contact = contacts.find((candidate) => candidate.id === contactId);
    const noteKeys = notes
      .filter((note) => note.entity_id === lead.id)
      .map((note) => noteKeyOf(note.params?.text))
      .filter((key) => key !== null);
    return { ...toCrmLead(lead, contact, context.defaultCountry), noteKeys };
  });
}

async function health(context: KommoContext, options?: CallOptions): Promise<PortHealth> {
  const site = { provider: kommoProvider, operation: 'health' };
  throwIfAborted(options, site);
  const checkedAt = () => context.clock.now();
  try {
    await context.request({
      operation: 'health',
      method: 'get',
      path: 'api/v4/account',
      schema: kommoAccountSchema,
      signal: signalOf(options),
    });
    return { status: 'up', checkedAt: checkedAt() };
  } catch (error) {
    if (AbortedError.isInstance(error)) throw error;
    if (options?.signal?.aborted === true) throw abortedError(options.signal, site);
    const detail = error instanceof Error ? error.message : 'unknown failure';
    const limited = error instanceof Error && 'code' in error && error.code === 'rate_limited';
    return { status: limited ? 'degraded' : 'down', detail, checkedAt: checkedAt() };
  }
}
