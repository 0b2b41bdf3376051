import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  ValidationError,
} from '../../errors/index.js';
import { addCrmNote, getCrmLead, moveCrmStage, updateCrmLead, upsertCrmLead } from '../../ports/crm/crm-helpers.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { newPhone } from '../__fixtures__/entities.js';
import { awaitOnVirtualClock } from '../clock/await-on-virtual-clock.js';
import { createInMemoryRateLimiter } from '../../ports/rate-limiter/in-memory-rate-limiter.js';
import { crmLostStatusId, crmWonStatusId } from './default-pipelines.js';
import { createInMemoryCrm, type InMemoryCrmOptions } from './in-memory-crm.js';

function setup(options: Partial<InMemoryCrmOptions> = {}) {
  const clock = new VirtualClock('2031-01-01T00:00:00Z');
  return { clock, crm: createInMemoryCrm({ clock, ...options }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('createInMemoryCrm: the board', () => {
  it("has the domain's statuses plus 142/143 in every pipeline", async () => {
    const { crm } = setup({ pipelines: [{ pipelineId: '9', name: 'Cobrança', statuses: [{ statusId: '91', name: 'Aberto' }] }] });
    const [pipeline] = await crm.listPipelines();
    expect(pipeline?.statuses.map((status) => status.statusId)).toEqual(['91', crmWonStatusId, crmLostStatusId]);
    const defaults = setup().crm;
    for (const name of ['Reunião agendada', 'Não interessado', 'Atendimento humano'])
      expect(defaults.stageRef(name).statusId).toMatch(/^\d+$/);
  });

  it('tags are only added and removed, never replaced; fields null-clear; unknown stage or field ids are ValidationErrors naming them', async () => {
    const { crm } = setup({ customFieldIds: ['100', '200'], enforceRateLimit: false });
    const { lead } = await upsertCrmLead(crm, { phone: newPhone(), name: 'Ana', tags: ['human'] });
    await updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: ['bot'], fields: { '100': 'a', '200': 'b' } });
    await updateCrmLead(crm, { leadId: lead.leadId, tagsToRemove: ['bot'], fields: { '100': null } });
    expect(await getCrmLead(crm, lead.leadId)).toMatchObject({ tags: ['human'], fields: { '200': 'b' } });
    const fieldError = await rejection(updateCrmLead(crm, { leadId: lead.leadId, fields: { '300': 'x' } }));
    expect(ValidationError.isInstance(fieldError) && fieldError.fieldErrors[0]).toMatchObject({ field: 'fields.300' });
    const stageError = await rejection(moveCrmStage(crm, { leadId: lead.leadId, stage: { pipelineId: '7000001', statusId: '999' } }));
    expect(ValidationError.isInstance(stageError) && stageError.message).toContain('999');
    expect(NotFoundError.isInstance(await rejection(updateCrmLead(crm, { leadId: '1', name: 'x' })))).toBe(true);
  });

  it('upsertLeads answers in input order; one phone twice is one lead; an invalid input names its index and creates nothing', async () => {
    const { crm } = setup({ customFieldIds: ['100'] });
    const [first, second] = [newPhone(), newPhone()];
    const results = await crm.upsertLeads([{ phone: first, name: 'Ana' }, { phone: second }, { phone: first, tags: ['again'] }]);
    expect(results.map((result) => [result.lead.phone, result.created])).toEqual([
      [first.e164, true],
      [second.e164, true],
      [first.e164, false],
    ]);
    expect(results[2]?.lead).toMatchObject({ leadId: results[0]?.lead.leadId, name: 'Ana', tags: ['again'] });
    const error = await rejection(crm.upsertLeads([{ phone: newPhone() }, { phone: newPhone(), fields: { '999': 'x' } }]));
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('inputs.1.fields.999');
    expect(crm.leads()).toHaveLength(2);
    expect(await crm.upsertLeads([])).toEqual([]);
  });

  it('upsertContacts finds or creates by phone, applying only non-empty new values', async () => {
    const { crm } = setup();
    const phone = newPhone();
    const [created] = await crm.upsertContacts([{ phone, name: 'Carla', email: 'carla@example.com' }]);
    const [found] = await crm.upsertContacts([{ phone, name: 'Carla D.', email: '' }]);
    expect(created?.created).toBe(true);
    expect(found).toEqual({ created: false, contact: { ...created?.contact, name: 'Carla D.' } });
    expect(await crm.findContactByPhone(phone)).toMatchObject({ name: 'Carla D.', email: 'carla@example.com' });
  });

  it('notes are idempotent by key: a second write is created false and leaves one note', async () => {
    const { crm } = setup();
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    const first = await addCrmNote(crm, { leadId: lead.leadId, text: 'Handoff', idempotencyKey: 'handoff-1' });
    const second = await addCrmNote(crm, { leadId: lead.leadId, text: 'Handoff', idempotencyKey: 'handoff-1' });
    expect(second).toEqual({ ...first, created: false });
    expect(crm.notes(lead.leadId)).toHaveLength(1);
    expect((await crm.getLeads([lead.leadId]))[0]?.noteKeys).toEqual(['handoff-1']);
  });

  it('every batch over maxBatchSize is refused whole before any request; a batch with an unknown lead applies nothing', async () => {
    const { crm } = setup({ maxBatchSize: 2 });
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    crm.clearRequests();
    const patch = { leadId: lead.leadId, tagsToAdd: ['x'] };
    for (const tooMany of [
      crm.updateLeads([patch, patch, patch]),
      crm.getLeads([lead.leadId, lead.leadId, lead.leadId]),
      crm.upsertLeads([{ phone: newPhone() }, { phone: newPhone() }, { phone: newPhone() }]),
      crm.upsertContacts([{ phone: newPhone() }, { phone: newPhone() }, { phone: newPhone() }]),
      crm.addNotes([1, 2, 3].map((index) => ({ leadId: lead.leadId, text: 'x', idempotencyKey: `k${index}` }))),
    ])
      expect(ValidationError.isInstance(await rejection(tooMany))).toBe(true);
    expect(crm.requests).toEqual([]);
    expect(NotFoundError.isInstance(await rejection(crm.updateLeads([patch, { leadId: '404', tagsToAdd: ['x'] }])))).toBe(true);
    expect((await getCrmLead(crm, lead.leadId))?.tags).toEqual([]);
  });

  it('addNotes writes a batch in one request, once per key, reporting what it created in input order', async () => {
    const { crm } = setup({ maxBatchSize: 3 });
    const first = (await upsertCrmLead(crm, { phone: newPhone() })).lead;
    const second = (await upsertCrmLead(crm, { phone: newPhone() })).lead;
    await addCrmNote(crm, { leadId: first.leadId, text: 'Old', idempotencyKey: 'k-1' });
    crm.clearRequests();
    const results = await crm.addNotes([
      { leadId: first.leadId, text: 'Again', idempotencyKey: 'k-1' },
      { leadId: first.leadId, text: 'New', idempotencyKey: 'k-2' },
      { leadId: second.leadId, text: 'Other', idempotencyKey: 'k-2' },
    ]);
    expect(results.map((result) => [result.leadId, result.idempotencyKey, result.created])).toEqual([
      [first.leadId, 'k-1', false],
      [first.leadId, 'k-2', true],
      [second.leadId, 'k-2', true],
    ]);
    expect(crm.requests).toEqual([expect.objectContaining({ method: 'addNotes', status: 200, items: 3 })]);
    expect(crm.notes(first.leadId).map((note) => note.text)).toEqual(['Old', 'New']);
  });

  it('addNotes naming an unknown lead writes nothing', async () => {
    const { crm } = setup({ maxBatchSize: 2 });
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    const note = { leadId: lead.leadId, text: 'x', idempotencyKey: 'k' };
    expect(NotFoundError.isInstance(await rejection(crm.addNotes([note, { ...note, leadId: '404' }])))).toBe(true);
    expect(crm.notes(lead.leadId)).toEqual([]);
  });

  it("Kommo's replacing tag write exists only behind providerOptions, drops the human's tags, and is marked in the log", async () => {
    const { crm } = setup();
    const { lead } = await upsertCrmLead(crm, { phone: newPhone(), tags: ['human'] });
    crm.clearRequests();
    await updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: ['bot'] });
    await crm.updateLeads([{ leadId: lead.leadId, providerOptions: { 'in-memory-crm': { tags: ['bot', 'other'] } } }]);
    expect((await getCrmLead(crm, lead.leadId))?.tags).toEqual(['bot', 'other']);
    expect(crm.requests.map((request) => [request.method, request.replacedTags])).toEqual([
      ['updateLeads', false],
      ['updateLeads', true],
      ['getLeads', false],
    ]);
    const malformed = await rejection(updateCrmLead(crm, { leadId: lead.leadId, providerOptions: { 'in-memory-crm': { tags: 'x' } } }));
    expect(ValidationError.isInstance(malformed)).toBe(true);
  });

  it('moveStageAsHuman changes the board without a request', async () => {
    const { crm } = setup();
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    const before = crm.requests.length;
    crm.moveStageAsHuman(lead.leadId, crm.stageRef('Atendimento humano'));
    expect(crm.requests).toHaveLength(before);
    expect(crm.leads()[0]?.stage).toEqual(crm.stageRef('Atendimento humano'));
  });
});

describe('createInMemoryCrm: the request budget (Kommo 7 rps)', () => {
  it('an upsert searches each phone, then writes the batch in one request; every other call is one request', async () => {
    const { crm } = setup();
    await crm.upsertLeads([{ phone: newPhone() }, { phone: newPhone() }]);
    await crm.upsertContacts([{ phone: newPhone() }]);
    await crm.listPipelines();
    expect(crm.requests.map((request) => [request.method, request.items])).toEqual([
      ['upsertLeads.search', 1],
      ['upsertLeads.search', 1],
      ['upsertLeads', 2],
      ['upsertContacts.search', 1],
      ['upsertContacts', 1],
      ['listPipelines', 1],
    ]);
  });

  it('unpaced, the 8th request within a second is a 429 that does nothing and names Retry-After', async () => {
    const { clock, crm } = setup();
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    for (let index = 0; index < 5; index += 1) await updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: [`t${index}`] });
    await clock.advance(400);
    const error = await rejection(updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: ['rejected'] }));
    expect(RateLimitedError.isInstance(error) && { retryAfterMs: error.retryAfterMs, provider: error.provider }).toEqual({
      retryAfterMs: 600,
      provider: 'in-memory-crm',
    });
    await clock.advance(600);
    expect((await getCrmLead(crm, lead.leadId))?.tags).not.toContain('rejected');
    expect(crm.requests.map((request) => request.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 200]);
    expect(crm.requests[7]?.at.getTime()).toBe(new Date('2031-01-01T00:00:00.400Z').getTime());
    expect(crm.maxRequestsPerSecond()).toBe(7);
  });

  it('created with a rate limiter, it paces every request itself — searches included — and never draws a 429', async () => {
    const clock = new VirtualClock('2031-01-01T00:00:00Z');
    const crm = createInMemoryCrm({ clock, rateLimiter: createInMemoryRateLimiter({ clock }), maxBatchSize: 20 });
    const phones = Array.from({ length: 20 }, () => newPhone());
    await awaitOnVirtualClock(clock, crm.upsertLeads(phones.map((phone) => ({ phone }))));
    await awaitOnVirtualClock(clock, Promise.all(phones.map((phone) => crm.findLeadByPhone(phone))));
    expect(crm.requests).toHaveLength(41);
    expect(crm.requests.every((request) => request.status === 200)).toBe(true);
    expect(crm.maxRequestsPerSecond()).toBe(7);
  });

  it('pacedRequestsPerSecond paces lower than the account accepts, never higher', async () => {
    const clock = new VirtualClock('2031-01-01T00:00:00Z');
    const rateLimiter = createInMemoryRateLimiter({ clock });
    const slow = createInMemoryCrm({ clock, rateLimiter, pacedRequestsPerSecond: 2, account: 'slow' });
    await awaitOnVirtualClock(clock, Promise.all(Array.from({ length: 8 }, () => slow.listPipelines())));
    expect(slow.maxRequestsPerSecond()).toBe(2);
    const capped = createInMemoryCrm({ clock, rateLimiter, pacedRequestsPerSecond: 50, account: 'capped' });
    await awaitOnVirtualClock(clock, Promise.all(Array.from({ length: 20 }, () => capped.listPipelines())));
    expect(capped.maxRequestsPerSecond()).toBe(7);
    expect(capped.requests.every((request) => request.status === 200)).toBe(true);
  });

  it('a call waiting on the pacing rejects with an AbortedError at the abort, sending nothing more', async () => {
    const clock = new VirtualClock('2031-01-01T00:00:00Z');
    const crm = createInMemoryCrm({ clock, rateLimiter: createInMemoryRateLimiter({ clock }), pacedRequestsPerSecond: 1 });
    const controller = new AbortController();
    const upsert = crm.upsertLeads([{ phone: newPhone() }, { phone: newPhone() }], { signal: controller.signal });
    const outcome = upsert.catch((error: unknown) => error);
    await clock.advance(1500);
    controller.abort();
    const error = await outcome;
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(crm.requests.map((request) => request.method)).toEqual(['upsertLeads.search', 'upsertLeads.search']);
    expect(crm.leads()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a pre-aborted call sends nothing; an abort during the latency is logged as 499 and changes nothing', async () => {
    const { clock, crm } = setup();
    const aborted = new AbortController();
    aborted.abort();
    expect(AbortedError.isInstance(await rejection(crm.listPipelines({ signal: aborted.signal })))).toBe(true);
    expect(AbortedError.isInstance(await rejection(crm.health({ signal: aborted.signal })))).toBe(true);
    expect(crm.requests).toEqual([]);
    const { lead } = await upsertCrmLead(crm, { phone: newPhone() });
    crm.setLatency(1000);
    const controller = new AbortController();
    const pending = updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: ['late'] }, { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await clock.advance(500);
    controller.abort();
    expect(AbortedError.isInstance(await pending)).toBe(true);
    expect(crm.requests.at(-1)).toMatchObject({ method: 'updateLeads', status: 499 });
    expect(crm.leads()[0]?.tags).toEqual([]);
  });

  it('maxRequestsPerSecond measures the busiest sliding second of accepted requests (a window is half-open)', async () => {
    const { clock, crm } = setup({ enforceRateLimit: false });
    for (let index = 0; index < 10; index += 1) await crm.listPipelines();
    expect(crm.maxRequestsPerSecond()).toBe(10);
    crm.clearRequests();
    for (let index = 0; index < 10; index += 1) {
      await crm.listPipelines();
      await clock.advance(200);
    }
    // Requests 200 ms apart: five fit in [t, t + 1000), the sixth is at t + 1000.
    expect(crm.maxRequestsPerSecond()).toBe(5);
  });

  it('outage and IP block fail like Kommo and are logged as 503 and 403; health reports instead of throwing', async () => {
    const { crm } = setup();
    crm.setOutage(true);
    const outage = await rejection(crm.listPipelines());
    expect(ProviderUnavailableError.isInstance(outage) && outage.retryable).toBe(true);
    expect((await crm.health()).status).toBe('down');
    crm.setOutage(false);
    crm.blockIp();
    const blocked = await rejection(crm.listPipelines());
    expect(ProviderError.isInstance(blocked) && { status: blocked.status, retryable: blocked.retryable, body: blocked.body }).toEqual({
      status: 403,
      retryable: false,
      body: undefined,
    });
    expect(crm.requests.map((request) => request.status)).toEqual([503, 503, 403]);
    crm.blockIp(false);
    expect((await crm.health()).status).toBe('up');
  });

  it('latency holds the answer on the clock; the request is logged when it arrives', async () => {
    const { clock, crm } = setup();
    crm.setLatency(250);
    let answered = false;
    const pending = crm.listPipelines().then(() => {
      answered = true;
    });
    await clock.advance(249);
    expect(answered).toBe(false);
    expect(crm.requests).toHaveLength(1);
    await clock.advance(1);
    await pending;
    expect(answered).toBe(true);
  });
});
