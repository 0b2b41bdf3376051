/**
 * The CRM on the wire: what each operation sends to Kommo (method, path, query, headers, body),
 * and how it reads what Kommo answers.
 */
import { PhoneNumber, ValidationError, VirtualClock, addCrmNote } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { crmOn, rejection, requestsTo, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { noteKeyOf } from './map-kommo-lead.js';

const fake = useFakeKommo();
const ana = PhoneNumber.parse('+55 11 98765-4321');

describe('finding by phone', () => {
  it('searches contacts by the last eight digits with their leads, and re-checks the phone values (formats, 9th digit)', async () => {
    const crm = crmOn(fake);
    fake.addContact({ name: 'Someone else', phones: ['+55 21 98765-4321'] });
    const typed = fake.addContact({ name: 'Ana', phones: ['(11) 8765-4321'] });
    expect(await crm.findContactByPhone(ana)).toMatchObject({ contactId: String(typed.id), phone: ana.e164, name: 'Ana' });
    const [search] = requestsTo(fake, 'contacts.search');
    expect(search?.method).toBe('GET');
    expect(search?.path).toBe('/api/v4/contacts');
    expect(search?.query.get('query')).toBe('87654321');
    expect(search?.query.get('with')).toBe('leads');
    expect(search?.authorization).toBe(`Bearer ${fake.token}`);
  });

  it('answers null when Kommo answers 204 (an empty list), and for a text match whose phone differs', async () => {
    const crm = crmOn(fake);
    expect(await crm.findLeadByPhone(ana)).toBeNull();
    fake.addContact({ name: 'Other DDD', phones: ['+55 31 98765-4321'] });
    expect(await crm.findLeadByPhone(ana)).toBeNull();
    expect(requestsTo(fake, 'contacts.search')).toHaveLength(2);
  });

  it('findLeadByPhone answers the most recent lead of the contact', async () => {
    const crm = crmOn(fake);
    const [first] = await crm.upsertLeads([{ phone: ana, name: 'First' }]);
    const contactId = Number(first?.lead.contactId);
    fake.leads.forEach((lead) => expect(lead.contacts).toEqual([contactId]));
    const second = await crm.upsertLeads([{ phone: PhoneNumber.parse('+5511912345678'), name: 'Other' }]);
    expect(second[0]?.created).toBe(true);
    expect((await crm.findLeadByPhone(ana))?.leadId).toBe(first?.lead.leadId);
  });
});

describe('creating leads', () => {
  it('creates new leads with their contact in one POST /api/v4/leads/complex (PHONE/WORK value), no search for phones the contact index proves new', async () => {
    const crm = crmOn(fake);
    const phones = ['+5511911110001', '+5511911110002', '+5511911110003'].map((phone) => PhoneNumber.parse(phone));
    const results = await crm.upsertLeads(phones.map((phone, index) => ({ phone, name: `Lead ${index}`, tags: ['sdr'] })));
    expect(results.map((result) => result.created)).toEqual([true, true, true]);
    expect(results.map((result) => result.lead.leadId)).toEqual([...fake.leads.keys()].map(String));
    const [complex] = requestsTo(fake, 'leads.complex');
    expect(complex?.method).toBe('POST');
    expect(complex?.contentType).toContain('application/json');
    expect(complex?.body).toEqual(
      phones.map((phone, index) => ({
        name: `Lead ${index}`,
        _embedded: {
          tags: [{ name: 'sdr' }],
          contacts: [
            { name: `Lead ${index}`, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone.e164, enum_code: 'WORK' }] }] },
          ],
        },
      })),
    );
    expect(fake.requests.map((request) => request.operation)).toEqual(['contacts.index', 'leads.complex']);
    const [index] = requestsTo(fake, 'contacts.index');
    expect(index?.query.get('order[updated_at]')).toBe('asc');
    expect(index?.query.get('limit')).toBe('250');
  });

  it('the contact index only proves absence: a known phone is searched; it re-reads only changed contacts once stale', async () => {
    const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
    const crm = crmOn(fake, { clock, contactIndex: { maxAgeMs: 10_000 } });
    const typed = fake.addContact({ name: 'Ana', phones: ['(11) 98765-4321'] });
    const [found] = await crm.upsertLeads([{ phone: ana, name: 'Ana' }]);
    expect(found?.lead.contactId).toBe(String(typed.id));
    expect(fake.requests.map((request) => request.operation)).toEqual(['contacts.index', 'contacts.search', 'leads.complex']);
    await clock.advance(10_000);
    await crm.upsertLeads([{ phone: PhoneNumber.parse('+5511911113333') }]);
    const reads = requestsTo(fake, 'contacts.index');
    expect(reads).toHaveLength(2);
    expect(reads[0]?.query.has('filter[updated_at][from]')).toBe(false);
    expect(reads[1]?.query.get('filter[updated_at][from]')).toBe(String(typed.updated_at));
  });

  it('without the index every phone is searched', async () => {
    const crm = crmOn(fake, { contactIndex: false });
    await crm.upsertLeads([{ phone: ana }, { phone: PhoneNumber.parse('+5511911114444') }]);
    expect(fake.requests.map((request) => request.operation)).toEqual(['contacts.search', 'contacts.search', 'leads.complex']);
  });

  it('a found lead gets its name, fields and tags added in a PATCH without _embedded.tags, never its stage', async () => {
    const crm = crmOn(fake);
    const [created] = await crm.upsertLeads([{ phone: ana, name: 'Ana', tags: ['human'] }]);
    const [found] = await crm.upsertLeads([
      { phone: ana, name: 'Ana Lima', tags: ['bot'], fields: { '800001': 'demo' }, stage: { pipelineId: '7001', statusId: '70013' } },
    ]);
    expect(found).toMatchObject({ created: false, lead: { leadId: created?.lead.leadId, name: 'Ana Lima' } });
    expect([...(found?.lead.tags ?? [])].sort()).toEqual(['bot', 'human']);
    const [patch] = requestsTo(fake, 'leads.update');
    expect(patch?.body).toEqual([
      {
        id: Number(created?.lead.leadId),
        name: 'Ana Lima',
        custom_fields_values: [{ field_id: 800001, values: [{ value: 'demo' }] }],
        tags_to_add: [{ name: 'bot' }],
      },
    ]);
  });
});

describe('updates', () => {
  it('writes a select field by its enum id, resolved from /api/v4/leads/custom_fields (read once)', async () => {
    const crm = crmOn(fake);
    const [result] = await crm.upsertLeads([{ phone: ana }]);
    const leadId = result?.lead.leadId ?? '';
    await crm.updateLeads([{ leadId, fields: { '800003': 'site' } }]);
    await crm.updateLeads([{ leadId, fields: { '800003': null } }]);
    expect(requestsTo(fake, 'leads.update').map((request) => request.body)).toEqual([
      [{ id: Number(leadId), custom_fields_values: [{ field_id: 800003, values: [{ enum_id: 900002 }] }] }],
      [{ id: Number(leadId), custom_fields_values: [{ field_id: 800003, values: null }] }],
    ]);
    expect(requestsTo(fake, 'fields.list')).toHaveLength(1);
    const error = await rejection(crm.updateLeads([{ leadId, fields: { '800003': 'Fax' } }]));
    expect(ValidationError.isInstance(error) && error.message).toContain('"Site"');
  });

  it('sends one PATCH for the whole batch, stage moves as status_id and pipeline_id', async () => {
    const crm = crmOn(fake);
    const leads = await crm.upsertLeads([{ phone: ana }, { phone: PhoneNumber.parse('+5511911112222') }]);
    await crm.updateLeads(
      leads.map((lead) => ({ leadId: lead.lead.leadId, stage: { pipelineId: '7001', statusId: '70013' }, tagsToRemove: ['old'] })),
    );
    const patches = requestsTo(fake, 'leads.update');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.method).toBe('PATCH');
    expect(patches[0]?.body).toEqual(
      leads.map((lead) => ({ id: Number(lead.lead.leadId), status_id: 70013, pipeline_id: 7001, tags_to_delete: [{ name: 'old' }] })),
    );
  });

  it('an unknown stage is refused before anything is sent, after one fresh read of the pipelines', async () => {
    const crm = crmOn(fake);
    const [lead] = await crm.upsertLeads([{ phone: ana }]);
    const before = fake.requests.length;
    const error = await rejection(crm.updateLeads([{ leadId: lead?.lead.leadId ?? '', stage: { pipelineId: '7001', statusId: '99' } }]));
    expect(ValidationError.isInstance(error) && error.fieldErrors).toEqual([
      { field: 'patch.stage', message: 'pipeline 7001 has no status 99' },
    ]);
    expect(fake.requests.slice(before).map((request) => request.operation)).toEqual(['pipelines.list', 'pipelines.list']);
  });

  it('re-resolves stage names once when Kommo rejects a status id (a status replaced since the catalog was read)', async () => {
    const crm = crmOn(fake, { stageNames: { pipeline: 'Funil de vendas', stages: { meeting_scheduled: 'Reunião agendada' } } });
    const [lead] = await crm.upsertLeads([{ phone: ana }]);
    await crm.listPipelines();
    // A person recreates the status: same name, new id.
    const pipeline = fake.pipelines[0];
    const status = pipeline?.statuses.find((candidate) => candidate.name === 'Reunião agendada');
    if (status) status.id = 70099;
    await crm.updateLeads([{ leadId: lead?.lead.leadId ?? '', stage: { pipelineId: '7001', statusId: '70013' } }]);
    expect(fake.leads.get(Number(lead?.lead.leadId))?.status_id).toBe(70099);
    expect(requestsTo(fake, 'leads.update').map((request) => (request.body as { status_id: number }[])[0]?.status_id)).toEqual([
      70013, 70099,
    ]);
  });
});

describe('notes', () => {
  it('posts a batch in one request as common notes whose text ends with the key', async () => {
    const crm = crmOn(fake);
    const [lead] = await crm.upsertLeads([{ phone: ana }]);
    const leadId = lead?.lead.leadId ?? '';
    await crm.addNotes([
      { leadId, text: 'First', idempotencyKey: 'k-1' },
      { leadId, text: 'Second', idempotencyKey: 'k-2' },
    ]);
    const [post] = requestsTo(fake, 'notes.add');
    expect(post?.body).toEqual([
      { entity_id: Number(leadId), note_type: 'common', params: { text: 'First\n\n[sdr:k-1]' }, request_id: '0' },
      { entity_id: Number(leadId), note_type: 'common', params: { text: 'Second\n\n[sdr:k-2]' }, request_id: '1' },
    ]);
  });

  it('a note whose request timed out after Kommo stored it is looked up, not written again', async () => {
    const crm = crmOn(fake, { requestTimeoutMs: 300 });
    const [lead] = await crm.upsertLeads([{ phone: ana }]);
    const leadId = lead?.lead.leadId ?? '';
    fake.failNext('notes.add', { kind: 'accept_then_stall' });
    const note = { leadId, text: 'Meeting booked', idempotencyKey: 'handoff-1' };
    const error = await rejection(addCrmNote(crm, note));
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    const again = await addCrmNote(crm, note);
    expect(again).toMatchObject({ created: false, noteId: String(fake.notes[0]?.id) });
    expect(fake.notes.map((stored) => noteKeyOf(stored.text))).toEqual(['handoff-1']);
    const [lookup] = requestsTo(fake, 'notes.list');
    expect(lookup?.query.getAll('filter[entity_id][]')).toEqual([leadId]);
    expect(lookup?.query.get('filter[note_type]')).toBe('common');
    expect(requestsTo(fake, 'notes.add')).toHaveLength(1);
  });

  it('a note in doubt that Kommo did not store is written on the retry', async () => {
    const crm = crmOn(fake);
    const [lead] = await crm.upsertLeads([{ phone: ana }]);
    fake.failNext('notes.add', { kind: 'respond', status: 502, raw: '<html>Bad gateway</html>' });
    const note = { leadId: lead?.lead.leadId ?? '', text: 'Lost', idempotencyKey: 'lost-1' };
    expect(await rejection(addCrmNote(crm, note))).toMatchObject({ retryable: true });
    expect(await addCrmNote(crm, note)).toMatchObject({ created: true });
    expect(fake.notes).toHaveLength(1);
  });
});

describe('read-back', () => {
  it('reads leads, their contacts and notes in pages of at most 250 (filter[id][])', async () => {
    const crm = crmOn(fake, { maxBatchSize: 250 });
    const [lead] = await crm.upsertLeads([{ phone: ana, name: 'Ana' }]);
    await crm.addNotes([{ leadId: lead?.lead.leadId ?? '', text: 'Hello', idempotencyKey: 'n-1' }]);
    const before = fake.requests.length;
    const ids = [lead?.lead.leadId ?? '', ...Array.from({ length: 249 }, (_, index) => String(5_000_000 + index))];
    const [snapshot, ...rest] = await crm.getLeads(ids);
    expect(rest).toEqual([]);
    expect(snapshot).toMatchObject({ leadId: lead?.lead.leadId, phone: ana.e164, name: 'Ana', noteKeys: ['n-1'] });
    const reads = fake.requests.slice(before);
    expect(reads.map((request) => request.operation)).toEqual(['leads.get', 'contacts.get', 'notes.list']);
    expect(reads[0]?.query.getAll('filter[id][]')).toHaveLength(250);
    expect(reads[0]?.query.get('limit')).toBe('250');
  });
});
