import { describe, expect, it } from 'vitest';
import { NotFoundError, ProviderError, ProviderUnavailableError, RateLimitedError, ValidationError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { newPhone } from '../__fixtures__/entities.js';
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
    const { crm } = setup({ customFieldIds: ['100', '200'] });
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone(), name: 'Ana', tags: ['human'] });
    await crm.updateLead({ leadId: lead.leadId, tagsToAdd: ['bot'], fields: { '100': 'a', '200': 'b' } });
    await crm.updateLead({ leadId: lead.leadId, tagsToRemove: ['bot'], fields: { '100': null } });
    expect(await crm.getLead(lead.leadId)).toMatchObject({ tags: ['human'], fields: { '200': 'b' } });
    const fieldError = await rejection(crm.updateLead({ leadId: lead.leadId, fields: { '300': 'x' } }));
    expect(ValidationError.isInstance(fieldError) && fieldError.fieldErrors[0]).toMatchObject({ field: 'fields.300' });
    const stageError = await rejection(crm.moveStage({ leadId: lead.leadId, stage: { pipelineId: '7000001', statusId: '999' } }));
    expect(ValidationError.isInstance(stageError) && stageError.message).toContain('999');
    expect(NotFoundError.isInstance(await rejection(crm.updateLead({ leadId: '1', name: 'x' })))).toBe(true);
  });

  it('notes are idempotent by key: a second write is created false and leaves one note', async () => {
    const { crm } = setup();
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone() });
    const first = await crm.addNote({ leadId: lead.leadId, text: 'Handoff', idempotencyKey: 'handoff-1' });
    const second = await crm.addNote({ leadId: lead.leadId, text: 'Handoff', idempotencyKey: 'handoff-1' });
    expect(second).toEqual({ noteId: first.noteId, created: false });
    expect(crm.notes(lead.leadId)).toHaveLength(1);
    expect((await crm.getLeads([lead.leadId]))[0]?.noteKeys).toEqual(['handoff-1']);
  });

  it('updateLeads over maxBatchSize is refused whole; a batch with an unknown lead applies nothing', async () => {
    const { crm } = setup({ maxBatchSize: 2 });
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone() });
    const patch = { leadId: lead.leadId, tagsToAdd: ['x'] };
    expect(ValidationError.isInstance(await rejection(crm.updateLeads([patch, patch, patch])))).toBe(true);
    expect(NotFoundError.isInstance(await rejection(crm.updateLeads([patch, { leadId: '404', tagsToAdd: ['x'] }])))).toBe(true);
    expect((await crm.getLead(lead.leadId))?.tags).toEqual([]);
  });

  it('addNotes writes a batch in one request, once per key, reporting what it created in input order', async () => {
    const { crm } = setup({ maxBatchSize: 3 });
    const first = (await crm.upsertLeadByPhone({ phone: newPhone() })).lead;
    const second = (await crm.upsertLeadByPhone({ phone: newPhone() })).lead;
    await crm.addNote({ leadId: first.leadId, text: 'Old', idempotencyKey: 'k-1' });
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

  it('addNotes over maxBatchSize, or naming an unknown lead, writes nothing', async () => {
    const { crm } = setup({ maxBatchSize: 2 });
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone() });
    const note = { leadId: lead.leadId, text: 'x', idempotencyKey: 'k' };
    expect(ValidationError.isInstance(await rejection(crm.addNotes([note, note, note])))).toBe(true);
    expect(NotFoundError.isInstance(await rejection(crm.addNotes([note, { ...note, leadId: '404' }])))).toBe(true);
    expect(crm.notes(lead.leadId)).toEqual([]);
  });

  it("Kommo's replacing tag write exists only behind providerOptions, drops the human's tags, and is marked in the log", async () => {
    const { crm } = setup();
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone(), tags: ['human'] });
    await crm.updateLead({ leadId: lead.leadId, tagsToAdd: ['bot'] });
    await crm.updateLeads([{ leadId: lead.leadId, providerOptions: { 'in-memory-crm': { tags: ['bot', 'other'] } } }]);
    expect((await crm.getLead(lead.leadId))?.tags).toEqual(['bot', 'other']);
    expect(crm.requests.map((request) => [request.method, request.replacedTags])).toEqual([
      ['upsertLeadByPhone', false],
      ['updateLead', false],
      ['updateLeads', true],
      ['getLead', false],
    ]);
    const malformed = await rejection(crm.updateLead({ leadId: lead.leadId, providerOptions: { 'in-memory-crm': { tags: 'x' } } }));
    expect(ValidationError.isInstance(malformed)).toBe(true);
  });

  it('moveStageAsHuman changes the board without a request', async () => {
    const { crm } = setup();
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone() });
    const before = crm.requests.length;
    crm.moveStageAsHuman(lead.leadId, crm.stageRef('Atendimento humano'));
    expect(crm.requests).toHaveLength(before);
    expect(crm.leads()[0]?.stage).toEqual(crm.stageRef('Atendimento humano'));
  });
});

describe('createInMemoryCrm: the request budget (Kommo 7 rps)', () => {
  it('every call is one logged request; the 8th within a second is a 429 that does nothing and names Retry-After', async () => {
    const { clock, crm } = setup();
    const { lead } = await crm.upsertLeadByPhone({ phone: newPhone() });
    for (let index = 0; index < 6; index += 1) await crm.updateLead({ leadId: lead.leadId, tagsToAdd: [`t${index}`] });
    await clock.advance(400);
    const error = await rejection(crm.updateLead({ leadId: lead.leadId, tagsToAdd: ['rejected'] }));
    expect(RateLimitedError.isInstance(error) && { retryAfterMs: error.retryAfterMs, provider: error.provider }).toEqual({
      retryAfterMs: 600,
      provider: 'in-memory-crm',
    });
    expect((await afterPause(clock, 600, () => crm.getLead(lead.leadId)))?.tags).not.toContain('rejected');
    expect(crm.requests.map((request) => request.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 200]);
    expect(crm.requests[7]?.at.getTime()).toBe(new Date('2031-01-01T00:00:00.400Z').getTime());
    expect(crm.maxRequestsPerSecond()).toBe(7);
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

/** Lets `ms` pass, then runs `call` (which must succeed). */
async function afterPause<T>(clock: VirtualClock, ms: number, call: () => Promise<T>): Promise<T> {
  await clock.advance(ms);
  return call();
}
