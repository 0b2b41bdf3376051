/**
 * Notes, once per idempotency key, although Kommo has no idempotency of its own (`request_id` is
 * only echoed back). Every note's text ends with a short reference, `[sdr:<key>]`, so a note can
 * be recognised when read back. A key this process saw written answers `created: false` without a
 * request; a key whose write ended without an answer (a timeout, a reset, a 5xx — Kommo may have
 * stored it) is **looked up** among the lead's notes before it is written again. The notes of a
 * batch go in one `POST /api/v4/leads/notes`.
 */
import { ValidationError, type CallOptions, type CrmNoteInput, type CrmNoteResult } from '@sdr/core';
import { kommoNoteCreatedSchema } from './kommo-api.js';
import { checkBatchSize, kommoId, signalOf, type KommoContext } from './kommo-context.js';
import { toKommoError } from './kommo-errors.js';
import { fetchNotes } from './kommo-reads.js';
import { isReferenceableKey, noteKeyOf, noteText } from './map-kommo-lead.js';

/** The notes part of the CRM. */
export interface KommoNotes {
  addNotes(notes: readonly CrmNoteInput[], options?: CallOptions): Promise<CrmNoteResult[]>;
}

/** Keys remembered per process (written, or in doubt), oldest forgotten first. */
const rememberedKeys = 50_000;

export function createKommoNotes(context: KommoContext): KommoNotes {
  /** key ⇒ the note written for it. */
  const written = new Map<string, { readonly leadId: string; readonly noteId: string }>();
  /** Keys whose write may or may not have been stored. */
  const inDoubt = new Set<string>();

  const remember = (key: string, note: { readonly leadId: string; readonly noteId: string }) => {
    written.delete(key);
    written.set(key, note);
    inDoubt.delete(key);
    if (written.size > rememberedKeys) {
      const oldest = written.keys().next();
      if (oldest.done !== true) written.delete(oldest.value);
    }
  };

  /** Finds the notes in doubt among their leads' notes; remembers those found. */
  const lookUp = async (notes: readonly CrmNoteInput[], options?: CallOptions) => {
    const doubtful = notes.filter((note) => inDoubt.has(note.idempotencyKey) && !written.has(note.idempotencyKey));
    if (doubtful.length === 0) return;
    const stored = await fetchNotes(
      context,
      doubtful.map((note) => Number(note.leadId)),
      options,
    );
    for (const note of stored) {
      const key = noteKeyOf(note.params?.text);
      if (key !== null && inDoubt.has(key)) remember(key, { leadId: String(note.entity_id), noteId: String(note.id) });
    }
  };

  return {
    async addNotes(notes, options) {
      checkBatchSize(context, 'notes', notes.length);
      const errors = notes.flatMap((note, index) => {
        const field = notes.length === 1 ? '' : `notes.${index}.`;
        const problems: { field: string; message: string }[] = [];
        if (kommoId(note.leadId) === undefined)
          problems.push({ field: `${field}leadId`, message: `"${note.leadId}" is not a Kommo lead id` });
        if (note.text.trim() === '') problems.push({ field: `${field}text`, message: 'must not be empty' });
        if (!isReferenceableKey(note.idempotencyKey)) {
          problems.push({ field: `${field}idempotencyKey`, message: 'must be 1 to 200 characters of letters, digits and . _ : -' });
        }
        return problems;
      });
      if (errors.length > 0) throw new ValidationError(errors);
      if (notes.length === 0) return [];

      await lookUp(notes, options);
      const toWrite: CrmNoteInput[] = [];
      const firstInBatch = new Set<string>();
      for (const note of notes) {
        if (written.has(note.idempotencyKey) || firstInBatch.has(note.idempotencyKey)) continue;
        firstInBatch.add(note.idempotencyKey);
        toWrite.push(note);
      }
      const created = new Set<string>();
      if (toWrite.length > 0) {
        // An abort while the request is out (the caller's stop, its lease ending) leaves it in doubt too.
        const outcome = await context
          .outcome({
            operation: 'notes.add',
            method: 'post',
            path: 'api/v4/leads/notes',
            json: toWrite.map((note, index) => ({
              entity_id: Number(note.leadId),
              note_type: 'common',
              params: { text: noteText(note.text, note.idempotencyKey) },
              request_id: String(index),
            })),
            schema: kommoNoteCreatedSchema,
            signal: signalOf(options),
          })
          .catch((error: unknown) => {
            for (const note of toWrite) inDoubt.add(note.idempotencyKey);
            throw error;
          });
        if (!outcome.ok) {
          const { failure } = outcome;
          // Without an answer Kommo may have stored them: look them up before writing them again.
          if (failure.kind !== 'http' || failure.status >= 500) for (const note of toWrite) inDoubt.add(note.idempotencyKey);
          throw toKommoError(failure, {
            operation: 'notes.add',
            account: context.client.account,
            now: context.clock.now(),
            secrets: context.secrets,
            fieldOf: (path) => `notes.${path}`,
          });
        }
        const answered = outcome.value._embedded.notes;
        toWrite.forEach((note, index) => {
          const match = answered.find((candidate) => candidate.request_id === String(index)) ?? answered[index];
          if (match === undefined) return;
          remember(note.idempotencyKey, { leadId: note.leadId, noteId: String(match.id) });
          created.add(note.idempotencyKey);
        });
      }
      const reported = new Set<string>();
      return notes.map((note) => {
        const known = written.get(note.idempotencyKey);
        const isNew = created.has(note.idempotencyKey) && !reported.has(note.idempotencyKey);
        reported.add(note.idempotencyKey);
        return { leadId: note.leadId, idempotencyKey: note.idempotencyKey, noteId: known?.noteId ?? '', created: isNew };
      });
    },
  };
}
