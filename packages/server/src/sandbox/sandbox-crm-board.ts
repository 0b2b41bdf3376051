/**
 * Reading the sandbox CRM's rows: the lead as the port reports it (with its contact's phone and
 * its note keys), and the board the sandbox routes show — leads with their stage's name, tags,
 * fields and notes, newest first.
 */
import type { CrmFieldValue, CrmLeadSnapshot, CrmStageRef } from '@sdr/core';
import type { Row, SqlExecutor } from '@sdr/store-postgres';
import { sandboxStatusName } from './sandbox-crm-pipeline.js';
import { fromJson, textOrNull, toDate } from './sandbox-sql.js';

/** The quoted tables of the CRM board. */
export interface SandboxCrmTables {
  readonly contacts: string;
  readonly leads: string;
  readonly notes: string;
}

/** A note on the board. */
export interface SandboxBoardNote {
  readonly noteId: string;
  readonly text: string;
  readonly idempotencyKey: string;
  readonly createdAt: Date;
}

/** A lead on the board: the port's view plus its stage's name, notes and timestamps. */
export interface SandboxBoardLead {
  readonly leadId: string;
  readonly contactId: string | null;
  readonly name: string | null;
  readonly phone: string | null;
  readonly stage: CrmStageRef & { readonly name: string | null };
  readonly fields: Readonly<Record<string, CrmFieldValue>>;
  readonly tags: readonly string[];
  /** Newest first. */
  readonly notes: readonly SandboxBoardNote[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** `SELECT` of leads (alias `l`) with the contact's phone and the note keys, oldest note first. */
export function leadSelect(tables: SandboxCrmTables): string {
  return `SELECT l.*, c.phone,
      COALESCE((SELECT jsonb_agg(n.idempotency_key ORDER BY n.note_id) FROM ${tables.notes} n WHERE n.lead_id = l.lead_id), '[]'::jsonb) AS note_keys
    FROM ${tables.leads} l LEFT JOIN ${tables.contacts} c ON c.contact_id = l.contact_id`;
}

/** A lead row (of `leadSelect`) as the port reports it. */
export function toSnapshot(row: Row): CrmLeadSnapshot {
  return {
    leadId: String(row['lead_id']),
    contactId: textOrNull(row['contact_id']),
    name: textOrNull(row['name']),
    phone: textOrNull(row['phone']),
    stage: { pipelineId: String(row['pipeline_id']), statusId: String(row['status_id']) },
    fields: (fromJson(row['fields']) ?? {}) as Record<string, CrmFieldValue>,
    tags: (fromJson(row['tags']) ?? []) as string[],
    noteKeys: (fromJson(row['note_keys']) ?? []) as string[],
  };
}

interface NoteJson {
  readonly noteId: number | string;
  readonly text: string;
  readonly idempotencyKey: string;
  readonly createdAt: string;
}

/** The board of `account`: its most recently changed leads first, each with its notes. */
export async function boardQuery(exec: SqlExecutor, tables: SandboxCrmTables, account: string, limit: number): Promise<SandboxBoardLead[]> {
  const rows = await exec.query(
    'sandbox.crm.board',
    `SELECT l.*, c.phone,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('noteId', n.note_id, 'text', n.text, 'idempotencyKey', n.idempotency_key, 'createdAt', n.created_at)
                                  ORDER BY n.note_id DESC)
                 FROM ${tables.notes} n WHERE n.lead_id = l.lead_id), '[]'::jsonb) AS notes
     FROM ${tables.leads} l LEFT JOIN ${tables.contacts} c ON c.contact_id = l.contact_id
     WHERE l.account = $1 ORDER BY l.updated_at DESC, l.lead_id DESC LIMIT $2`,
    [account, limit],
  );
  return rows.map((row) => {
    const stage = { pipelineId: String(row['pipeline_id']), statusId: String(row['status_id']) };
    return {
      leadId: String(row['lead_id']),
      contactId: textOrNull(row['contact_id']),
      name: textOrNull(row['name']),
      phone: textOrNull(row['phone']),
      stage: { ...stage, name: sandboxStatusName(stage) },
      fields: (fromJson(row['fields']) ?? {}) as Record<string, CrmFieldValue>,
      tags: (fromJson(row['tags']) ?? []) as string[],
      notes: ((fromJson(row['notes']) ?? []) as NoteJson[]).map((note) => ({
        noteId: String(note.noteId),
        text: note.text,
        idempotencyKey: note.idempotencyKey,
        createdAt: toDate(note.createdAt),
      })),
      createdAt: toDate(row['created_at']),
      updatedAt: toDate(row['updated_at']),
    };
  });
}
