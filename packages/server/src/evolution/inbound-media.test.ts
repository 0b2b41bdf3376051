/**
 * Inbound media end to end on a real database and a real directory: inline base64 or downloaded
 * from (a fake) Evolution, kept in the filesystem `BlobStore`, referenced on the message, linked in
 * a CRM note, served to its tenant only; a medium that cannot be kept does not cost the message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMessagesUpsert, createFakeEvolution } from '@sdr/adapter-evolution/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFilesystemBlobStore, type FilesystemBlobStore } from '../blob/filesystem-blob-store.js';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createEvolutionWorld, type EvolutionWorld } from './__fixtures__/evolution-world.js';

const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const voice = new TextEncoder().encode('OggS-voice-note');

describeEachDriver('inbound WhatsApp media', (database) => {
  let world: EvolutionWorld;
  let blobs: FilesystemBlobStore;
  const fake = createFakeEvolution({ apiKey: 'global-key-for-tests' });
  beforeAll(async () => {
    blobs = createFilesystemBlobStore({ directory: await mkdtemp(join(tmpdir(), 'sdr-media-')) });
    world = await createEvolutionWorld(database(), {
      blobs,
      fetch: fake.fetch,
      settings: { api: { baseUrl: fake.baseUrl, apiKey: 'global-key-for-tests' } },
    });
  });
  afterAll(async () => {
    await rm(blobs.directory, { recursive: true, force: true });
  });

  const messageOf = async (providerMessageId: string) =>
    (
      await database().sql<{ id: string; body: string; media: { ref: string; contentType: string; size: number }[] }>(
        'SELECT id, body, media FROM sdr.messages WHERE tenant_id = $1 AND provider_message_id = $2',
        [world.acme.tenant.id, providerMessageId],
      )
    )[0];
  const notesOf = async (messageId: string) =>
    (
      await database().sql<{ payload: { key: string; text: string } }>(
        `SELECT payload FROM sdr.outbox WHERE tenant_id = $1 AND type = 'lead.note_added' AND payload->>'key' = $2`,
        [world.acme.tenant.id, `whatsapp-media:${messageId}`],
      )
    ).map((row) => row.payload);
  const deliverAndDrain = async (body: unknown) => {
    expect((await world.deliver(world.acme.tenant.id, body)).status).toBe(200);
    await world.drain();
  };

  it('keeps an inline image, references it on the message, links it in a CRM note and serves it to its tenant only', async () => {
    await deliverAndDrain(
      buildMessagesUpsert({
        remoteJid: '5511987650101@s.whatsapp.net',
        id: 'IMG-1',
        message: {
          imageMessage: { mimetype: 'image/jpeg', caption: 'Minha fachada', fileLength: String(photo.byteLength) },
          base64: Buffer.from(photo).toString('base64'),
        },
      }),
    );
    const message = await messageOf('IMG-1');
    expect(message?.body).toBe('Minha fachada');
    expect(message?.media).toEqual([expect.objectContaining({ contentType: 'image/jpeg', size: photo.byteLength })]);
    const ref = message?.media[0]?.ref ?? '';
    const stored = await blobs.get(world.acme.tenant.id, ref);
    expect(stored && Array.from(stored.data)).toEqual(Array.from(photo));
    const blobId = ref.split('/')[1] ?? '';
    expect(await notesOf(message?.id ?? '')).toEqual([
      { key: `whatsapp-media:${message?.id ?? ''}`, text: expect.stringContaining(`http://localhost:3000/v1/media/${blobId}`) as string },
    ]);
    const own = await world.webhookApp.inject({ url: `/v1/media/${blobId}`, headers: { authorization: `Bearer ${world.acme.key}` } });
    const other = await world.webhookApp.inject({ url: `/v1/media/${blobId}`, headers: { authorization: `Bearer ${world.globex.key}` } });
    expect([own.statusCode, own.headers['content-type'], Array.from(own.rawPayload)]).toEqual([200, 'image/jpeg', Array.from(photo)]);
    expect(other.statusCode).toBe(404);
  });

  it('downloads a voice note that did not come inline through getBase64FromMediaMessage', async () => {
    fake.addMedia('VOICE-1', { data: voice, mimetype: 'audio/ogg; codecs=opus' });
    await deliverAndDrain(
      buildMessagesUpsert({
        remoteJid: '5511987650102@s.whatsapp.net',
        id: 'VOICE-1',
        message: { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 3 } },
      }),
    );
    const download = fake.requests.find((request) => request.path.includes('getBase64FromMediaMessage'));
    expect(download).toMatchObject({
      method: 'POST',
      path: '/chat/getBase64FromMediaMessage/default',
      apikey: 'global-key-for-tests',
      body: { message: { key: { id: 'VOICE-1' } } },
    });
    const message = await messageOf('VOICE-1');
    expect(message?.body).toBe('');
    const stored = await blobs.get(world.acme.tenant.id, message?.media[0]?.ref ?? '');
    expect(stored && new TextDecoder().decode(stored.data)).toBe('OggS-voice-note');
  });

  it('records the message without a medium that cannot be kept (over the limit, or gone from WhatsApp)', async () => {
    await deliverAndDrain(
      buildMessagesUpsert({
        remoteJid: '5511987650103@s.whatsapp.net',
        id: 'BIG-1',
        message: { videoMessage: { mimetype: 'video/mp4', caption: 'vídeo grande', fileLength: String(64 * 1024 * 1024) } },
      }),
    );
    await deliverAndDrain(
      buildMessagesUpsert({
        remoteJid: '5511987650103@s.whatsapp.net',
        id: 'GONE-1',
        message: { documentMessage: { mimetype: 'application/pdf', fileName: 'boleto.pdf' } },
      }),
    );
    expect(await messageOf('BIG-1')).toMatchObject({ body: 'vídeo grande', media: [] });
    expect(await messageOf('GONE-1')).toMatchObject({ body: '', media: [] });
    expect(await notesOf((await messageOf('BIG-1'))?.id ?? '')).toEqual([]);
  });
});
