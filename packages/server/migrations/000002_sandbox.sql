-- The sandbox adapters' state (schema :SDR_SCHEMA, default sdr_server): the WhatsApp channel,
-- the CRM board and the calendar a newcomer uses offline. Kept in the database, not in memory,
-- so a restart keeps them and every process (roles api and worker) sees the same state.

-- What the sandbox channel "sent": one row per accepted send. The idempotency key (the
-- scheduled-message id) is unique: a repeated send returns this row and writes nothing.
CREATE TABLE :SDR_SCHEMA.sandbox_messages (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_message_id text NOT NULL UNIQUE,
  idempotency_key text NOT NULL UNIQUE,
  instance text NOT NULL,
  recipient text NOT NULL,
  body text NOT NULL,
  media jsonb,
  accepted_at timestamptz NOT NULL
);
CREATE INDEX sandbox_messages_newest ON :SDR_SCHEMA.sandbox_messages (accepted_at DESC, sequence DESC);
CREATE INDEX sandbox_messages_recipient ON :SDR_SCHEMA.sandbox_messages (recipient, accepted_at DESC);

-- Instances an operator (or a test) marked down: their sends fail and their health says so.
CREATE TABLE :SDR_SCHEMA.sandbox_channel_instances (
  instance text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('up', 'down')),
  detail text,
  updated_at timestamptz NOT NULL
);

-- Numbers the sandbox treats as "not on WhatsApp": a send to one fails for good.
CREATE TABLE :SDR_SCHEMA.sandbox_unreachable_numbers (
  phone text PRIMARY KEY,
  created_at timestamptz NOT NULL
);

-- The CRM board, one account per tenant. Ids are numbers, as Kommo's are.
CREATE TABLE :SDR_SCHEMA.sandbox_crm_contacts (
  contact_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account text NOT NULL,
  phone text NOT NULL,
  name text,
  email text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (account, phone)
);

CREATE TABLE :SDR_SCHEMA.sandbox_crm_leads (
  lead_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account text NOT NULL,
  contact_id bigint REFERENCES :SDR_SCHEMA.sandbox_crm_contacts (contact_id),
  name text,
  pipeline_id text NOT NULL,
  status_id text NOT NULL,
  fields jsonb NOT NULL DEFAULT '{}',
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX sandbox_crm_leads_account ON :SDR_SCHEMA.sandbox_crm_leads (account, updated_at DESC);
CREATE INDEX sandbox_crm_leads_contact ON :SDR_SCHEMA.sandbox_crm_leads (contact_id, lead_id DESC);

CREATE TABLE :SDR_SCHEMA.sandbox_crm_notes (
  note_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account text NOT NULL,
  lead_id bigint NOT NULL REFERENCES :SDR_SCHEMA.sandbox_crm_leads (lead_id),
  text text NOT NULL,
  idempotency_key text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (account, idempotency_key)
);
CREATE INDEX sandbox_crm_notes_lead ON :SDR_SCHEMA.sandbox_crm_notes (lead_id, note_id DESC);

-- The calendar: a deleted event keeps its row (status cancelled), so its id stays taken.
CREATE TABLE :SDR_SCHEMA.sandbox_calendar_events (
  calendar_id text NOT NULL,
  event_id text NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  summary text NOT NULL,
  description text,
  status text NOT NULL CHECK (status IN ('confirmed', 'tentative', 'cancelled')),
  attendees jsonb NOT NULL DEFAULT '[]',
  private_properties jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (calendar_id, event_id),
  CHECK (end_at > start_at)
);
CREATE INDEX sandbox_calendar_events_live ON :SDR_SCHEMA.sandbox_calendar_events (calendar_id, start_at) WHERE status <> 'cancelled';
